// ONNX Runtime engine: picks the best execution provider the installed binding can load.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
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

function findFile(dir: string, name: string): boolean {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name === name) return true;
    if (e.isDirectory() && e.name !== 'node_modules' && findFile(path.join(dir, e.name), name)) return true;
  }
  return false;
}

function sessionOptions(ep: string, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
}

export async function openOnnxEngine(file: string, o: { height: number; width: number; device: DeviceKind; threads: number }): Promise<Engine> {
  const { available, notes } = await onnxProviders();
  let candidates: string[];
  if (o.device === 'auto') {
    candidates = available;
  } else {
    if (!available.includes(o.device)) {
      throw new UserError(`--device ${o.device}: not available here (${notes.find((n) => n.startsWith(o.device)) ?? `available: ${available.join(', ')}`})`);
    }
    candidates = [o.device];
  }
  let session: ort.InferenceSession | undefined;
  let provider = '';
  for (const ep of candidates) {
    try {
      session = await ort.InferenceSession.create(file, sessionOptions(ep, o.threads));
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
