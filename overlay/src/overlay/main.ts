// Overlay entry: URL parameters once, one store, one WebSocket feeding it.
import { mount } from 'svelte';
import Overlay from './Overlay.svelte';
import { parseOverlayParams } from '../lib/params.ts';
import { Store, wsUrl } from '../lib/store.svelte.ts';

const params = parseOverlayParams(location.search);
for (const error of params.errors) console.error(`smashsight overlay: ${error}`);

const store = new Store();
store.connect(wsUrl(location, params.token, params.setup));

const target = document.getElementById('app');
if (!target) throw new Error('overlay.html lacks #app');
mount(Overlay, { target, props: { store, params } });
