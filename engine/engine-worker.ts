// ONNX Runtime off the main thread. Its Node binding computes on the calling thread (measured: a
// 5 s VGG16 run let a 5 ms timer fire twice), so on the main thread nothing else moves while a
// frame is in the engine: no ffmpeg read, no WebSocket send, no HTTP answer. In a worker the
// pipeline's other stages overlap inference. Requests are answered in order; a failed run rejects
// that run only; a worker that dies is replaced on the next run.
import { Worker } from 'node:worker_threads';
import { UserError } from '../kit/errors.ts';
import { checkFrames, type DeviceKind, type Engine } from './engine.ts';

export interface WorkerOpen {
  file: string;
  options: { height: number; width: number; device: DeviceKind; threads: number };
}

export type ToWorker = { type: 'run'; id: number; frames: ArrayBuffer; n: number } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; name: string; provider: string; threads: number; outputSize: number }
  | { type: 'error'; message: string }
  | { type: 'result'; id: number; data: ArrayBuffer }
  | { type: 'failed'; id: number; message: string };

interface Pending {
  resolve: (out: Float32Array) => void;
  reject: (err: Error) => void;
}

interface Ready {
  worker: Worker;
  info: Extract<FromWorker, { type: 'ready' }>;
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./onnx-worker.ts', import.meta.url).href;

function start(open: WorkerOpen, pending: Map<number, Pending>, onExit: () => void): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, open } });
    let ready = false;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready = true;
        resolve({ worker, info: m });
      } else if (m.type === 'error') reject(new UserError(m.message));
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.type === 'result') p?.resolve(new Float32Array(m.data));
        else p?.reject(new Error(`inference failed: ${m.message}`));
      }
    });
    worker.on('error', (err) => {
      if (!ready) reject(err);
    });
    worker.on('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`the engine's worker thread ended (code ${code})`));
      pending.clear();
      if (!ready) reject(new Error(`the engine's worker thread ended before it was ready (code ${code})`));
      onExit();
    });
  });
}

export async function openWorkerEngine(open: WorkerOpen): Promise<Engine> {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let current: Promise<Ready> | null = null;
  let closed = false;
  const launch = (): Promise<Ready> => {
    const p = start(open, pending, () => {
      if (current === p) current = null; // the next run starts a new worker
    });
    current = p;
    return p;
  };
  const { info } = await launch();
  const engine: Engine = {
    name: info.name,
    provider: `${info.provider} (worker thread)`,
    threads: info.threads,
    height: open.options.height,
    width: open.options.width,
    outputSize: info.outputSize,
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      checkFrames(engine, frames, n);
      if (closed) throw new Error('engine closed');
      const { worker } = await (current ?? launch());
      const id = nextId++;
      const copy = new Uint8Array(frames); // a copy (the caller keeps its buffer) to transfer
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'run', id, frames: copy.buffer, n } satisfies ToWorker, [copy.buffer]);
      });
    },
    async dispose(): Promise<void> {
      closed = true;
      const c = current;
      current = null;
      if (!c) return;
      const { worker } = await c.catch(() => ({ worker: null }));
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' } satisfies ToWorker);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      await worker.terminate();
    },
  };
  return engine;
}
