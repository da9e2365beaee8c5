// Overlay entry: URL parameters once, one store, one WebSocket feeding it.
import { mount } from 'svelte';
import Overlay from './Overlay.svelte';
import { parseOverlayParams } from '../lib/params.ts';
import { Store } from '../lib/store.svelte.ts';
import { connectWs, wsUrl } from '../lib/ws-client.ts';

const params = parseOverlayParams(location.search);
for (const error of params.errors) console.error(`smashsight overlay: ${error}`);

const store = new Store();
const client = connectWs(wsUrl(location, params.token), {
  message: (msg) => store.apply(msg),
  lost: () => store.lost(),
});

const target = document.getElementById('app');
if (!target) throw new Error('overlay.html lacks #app');
mount(Overlay, { target, props: { store, params, report: (msg) => client.send(msg) } });
