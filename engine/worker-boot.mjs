// A worker thread's first module: workers do not inherit the tsx loader the CLI registered, so
// this registers it, then loads the TypeScript entry the parent named.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
