// Overlay entry: URL parameters once, one store, one WebSocket feeding it.
import { mount } from 'svelte';
import Overlay from './Overlay.svelte';
import type { ErrorBody } from '../../../server/protocol.ts';
import { parseOverlayParams } from '../lib/params.ts';
import { Store, wsUrl } from '../lib/store.svelte.ts';

const params = parseOverlayParams(location.search);
// A setup the server has not is said on the page: an OBS URL's typo would otherwise be a blank source.
if (params.setup) {
  const res = await fetch(`/api/state?setup=${encodeURIComponent(params.setup)}`).catch(() => null);
  if (res?.status === 404) params.errors.push(`setup=${params.setup}: ${((await res.json()) as ErrorBody).error}`);
}
for (const error of params.errors) console.error(`smashsight overlay: ${error}`);

const store = new Store();
store.connect(wsUrl(location, params.token, params.setup));

const target = document.getElementById('app');
if (!target) throw new Error('overlay.html lacks #app');
mount(Overlay, { target, props: { store, params } });
