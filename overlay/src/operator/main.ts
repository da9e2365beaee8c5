// Operator entry: one store fed by one WebSocket; `?token=` is passed to /ws and the API.
import { mount } from 'svelte';
import Operator from './Operator.svelte';
import { Store, wsUrl } from '../lib/store.svelte.ts';

const token = new URLSearchParams(location.search).get('token') || null;
const store = new Store();
store.connect(wsUrl(location, token));

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(Operator, { target, props: { store, token } });
