// ONNX Runtime engine: picks the best execution provider the installed binding can load, and runs
// on the calling thread (openOnnxEngine) or in a worker thread (openWorkerEngine, below; serve
// uses it). The worker's entry is this same module, so the whole engine reads in one file.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { UserError } from '../kit/errors.ts';
import { announce, checkFrames } from './engine.ts';
import type { DeviceKind, Engine } from './engine.ts';

const require = createRequire(import.meta.url);
/** Our device names → ORT execution provider names, best first for `auto`. */
const PROVIDERS: [Exclude<DeviceKind, 'auto'>, string][] = [
  ['cuda', 'cuda'],
  ['dml', 'dml'],
  ['coreml', 'coreml'],
  // Bundled with onnxruntime-node 1.30 (Dawn: Vulkan, D3D12 or Metal): a GPU with no CUDA install.
  ['webgpu', 'webgpu'],
  ['cpu', 'cpu'],
];

/** Whether this machine shows a GPU at all (Linux device nodes; elsewhere assume it may). */
function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  if (fs.existsSync('/dev/nvidia0')) return true;
  try {
    return fs.readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Which providers this install offers, and why the missing ones are missing. */
export async function onnxProviders(): Promise<{ available: string[]; notes: string[] }> {
  const listed = ort.listSupportedBackends().map((b) => b.name);
  const notes: string[] = [];
  const available: string[] = [];
  const bindingDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  for (const [device, ep] of PROVIDERS) {
    if (!listed.includes(ep)) continue; // not built for this platform: nothing to explain
    // CUDA's provider library is fetched at install; ONNXRUNTIME_NODE_INSTALL=skip leaves it out.
    if (device === 'cuda' && !findFile(bindingDir, 'libonnxruntime_providers_cuda.so')) {
      notes.push('cuda: provider library not installed (onnxruntime-node was installed CPU-only)');
      continue;
    }
    // Without a GPU, Dawn only prints Vulkan errors and fails: say why instead of trying.
    if (device === 'webgpu' && !gpuDevicePresent()) {
      notes.push('webgpu: no GPU device on this machine (no /dev/dri/renderD*, no /dev/nvidia0)');
      continue;
    }
    available.push(device);
  }
  return { available, notes };
}

function refuseMissing(device: DeviceKind, available: string[], notes: string[]): void {
  if (device === 'auto' || available.includes(device)) return;
  throw new UserError(`--device ${device}: not available here (${notes.find((n) => n.startsWith(device)) ?? `available: ${available.join(', ')}`})`);
}

/** Refuses, in one line and before any work, a device this install of ONNX Runtime cannot run. */
export async function checkDevice(device: DeviceKind): Promise<void> {
  const { available, notes } = await onnxProviders();
  refuseMissing(device, available, notes);
}

function findFile(dir: string, name: string): boolean {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name === name) return true;
    if (e.isDirectory() && e.name !== 'node_modules' && findFile(path.join(dir, e.name), name)) return true;
  }
  return false;
}

function sessionOptions(ep: string, threads: number, arena: boolean): ort.InferenceSession.SessionOptions {
  return {
    // The memory pattern plans buffers inside the arena; without the arena it has nothing to plan.
    enableCpuMemArena: arena,
    enableMemPattern: arena,
    executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
}

export async function openOnnxEngine(
  file: string,
  o: { height: number; width: number; device: DeviceKind; threads: number; arena?: boolean },
): Promise<Engine> {
  const { available, notes } = await onnxProviders();
  refuseMissing(o.device, available, notes);
  const candidates = o.device === 'auto' ? available : [o.device];
  let session: ort.InferenceSession | undefined;
  let provider = '';
  for (const ep of candidates) {
    try {
      session = await ort.InferenceSession.create(file, sessionOptions(ep, o.threads, o.arena ?? true));
      provider = ep;
      break;
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0]!;
      if (ep === 'cpu' || o.device !== 'auto') throw new UserError(`${file}: ONNX Runtime cannot load it (${msg})`);
      notes.push(`${ep}: ${msg}`);
    }
  }
  if (!session) throw new UserError(`${file}: no ONNX Runtime execution provider could load it`);
  const meta = session.outputMetadata[0];
  const dims = meta?.isTensor ? meta.shape : [];
  const last = dims[dims.length - 1];
  if (typeof last !== 'number') throw new UserError(`${file}: output has no fixed size`);
  const why = o.device === 'auto' && notes.length ? `; ${notes.join('; ')}` : '';
  announce(`engine: onnxruntime ${ort.env.versions.common} provider ${provider}, ${o.threads} thread${o.threads === 1 ? '' : 's'}${why}`);
  const s = session;
  const engine: Engine = {
    name: 'onnxruntime',
    provider,
    threads: o.threads,
    height: o.height,
    width: o.width,
    outputSize: last,
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      checkFrames(engine, frames, n);
      const input = new ort.Tensor('uint8', frames, [n, o.height, o.width, 3]);
      const result = await s.run({ frames: input });
      const out = result.output!;
      const data = out.data as Float32Array;
      out.dispose();
      return data;
    },
    async dispose(): Promise<void> {
      await s.release();
    },
  };
  return engine;
}

// ---- in a worker thread ----
// Its Node binding computes on the calling thread (measured: a 5 s VGG16 run let a 5 ms timer fire
// twice), so on the main thread nothing else moves while a frame is in the engine: no ffmpeg read,
// no WebSocket send, no HTTP answer. In a worker the pipeline's other stages overlap inference.
// Requests are answered in order; a failed run rejects that run only; a worker that dies is
// replaced on the next run.

export interface WorkerOpen {
  file: string;
  options: { height: number; width: number; device: DeviceKind; threads: number; arena?: boolean };
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
const ROLE = 'smashsight-onnx-engine';

function start(open: WorkerOpen, pending: Map<number, Pending>, onExit: () => void): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOT, { workerData: { entry: import.meta.url, role: ROLE, open } });
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

/** The worker side: one engine opened exactly as on the main thread, answering runs in order. */
async function serveInWorker(o: WorkerOpen): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  let engine: Engine;
  try {
    engine = await openOnnxEngine(o.file, o.options);
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
    return;
  }
  post({ type: 'ready', name: engine.name, provider: engine.provider, threads: engine.threads, outputSize: engine.outputSize });
  port.on('message', async (m: ToWorker) => {
    if (m.type === 'close') {
      await engine.dispose();
      port.close();
      return;
    }
    try {
      const out = await engine.run(new Uint8Array(m.frames), m.n);
      const copy = out.slice(); // a buffer of its own, to transfer
      post({ type: 'result', id: m.id, data: copy.buffer }, [copy.buffer]);
    } catch (err) {
      post({ type: 'failed', id: m.id, message: (err as Error).message });
    }
  });
}

const asWorker = workerData as { role?: string; open?: WorkerOpen } | null;
if (!isMainThread && asWorker?.role === ROLE) void serveInWorker(asWorker.open!);
