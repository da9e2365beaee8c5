// Operator entry: one store fed by one WebSocket; `?token=` is passed to /ws and the API.
import { mount } from 'svelte';
import Operator from './Operator.svelte';
import { Store } from '../lib/store.svelte.ts';
import { connectWs, wsUrl } from '../lib/ws-client.ts';

const token = new URLSearchParams(location.search).get('token') || null;
const store = new Store();
connectWs(wsUrl(location, token), { message: (msg) => store.apply(msg), lost: () => store.lost() });

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(Operator, { target, props: { store, token } });
