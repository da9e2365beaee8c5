// Operator entry: one store fed by one WebSocket; `?token=` is passed to /ws and the API, and
// `?setup=` picks which of the server's setups the page shows (switching reconnects to another).
import { mount } from 'svelte';
import Operator from './Operator.svelte';
import { setupName } from '../lib/params.ts';
import { Store, wsUrl } from '../lib/store.svelte.ts';

const query = new URLSearchParams(location.search);
const token = query.get('token') || null;
const errors: string[] = [];
const setup = setupName(query.get('setup'), errors);
for (const error of errors) console.error(`smashsight operator: ${error}`);
const store = new Store();
store.connect(wsUrl(location, token, setup));

/** Shows another setup: a new connection, and the URL says which (a reload stays on it). */
function switchTo(name: string): void {
  const q = new URLSearchParams(location.search);
  q.set('setup', name);
  history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
  store.connect(wsUrl(location, token, name));
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(Operator, { target, props: { store, token, switchTo } });
