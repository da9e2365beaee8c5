// One interface for everything that runs a network. ONNX Runtime is the default (6x faster than
// tfjs-wasm here, DESIGN §1); tfjs stays selectable. Prints once which engine/provider runs and why.
import fs from 'node:fs';
import os from 'node:os';
import { UserError } from '../kit/errors.ts';
import type { ModelPackage } from './package.ts';

export interface Engine {
  readonly name: string /* 'onnxruntime' | 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu' */;
  readonly provider: string;
  readonly threads: number;
  readonly height: number;
  readonly width: number;
  readonly outputSize: number;
  /** n frames rgb24 HWC (n*height*width*3 bytes) → n*outputSize floats. */
  run(frames: Uint8Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export type EngineKind = 'onnx' | 'tfjs';
export type DeviceKind = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml';
export const ENGINE_KINDS: readonly EngineKind[] = ['onnx', 'tfjs'];
export const DEVICE_KINDS: readonly DeviceKind[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml'];

export interface EngineOptions {
  engine?: EngineKind;
  device?: DeviceKind;
  threads?: number;
  graph?: 'model' | 'backbone';
}

const announced = new Set<string>();
/** Says once per process (stderr) what runs, so a slow run is never a mystery. */
export function announce(line: string): void {
  if (announced.has(line)) return;
  announced.add(line);
  process.stderr.write(`${line}\n`);
}

export function defaultThreads(): number {
  return os.availableParallelism();
}

export function checkFrames(e: Engine, frames: Uint8Array, n: number): void {
  const want = n * e.height * e.width * 3;
  if (!Number.isInteger(n) || n < 1 || frames.length !== want) {
    throw new Error(`engine.run: expected ${n} frames of ${e.width}x${e.height}x3 (${want} bytes), got ${frames.length} bytes`);
  }
}

export async function openEngine(pkg: ModelPackage, opts: EngineOptions = {}): Promise<Engine> {
  const graph = opts.graph ?? 'model';
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`--threads: must be a positive integer, got ${threads}`);
  const onnxPath = graph === 'backbone' ? pkg.backboneOnnxPath : pkg.onnxPath;
  if ((opts.engine ?? 'onnx') === 'onnx') {
    if (!fs.existsSync(onnxPath)) throw new UserError(`${onnxPath}: missing (needed for --graph ${graph})`);
    const { openOnnxEngine } = await import('./engine-onnx.ts');
    return openOnnxEngine(onnxPath, { height: pkg.meta.input.height, width: pkg.meta.input.width, device: opts.device ?? 'auto', threads });
  }
  const { openTfjsEngine } = await import('./engine-tfjs.ts');
  // tfjs picks its thread count once per process (SMASHSIGHT_WASM_THREADS for wasm).
  return openTfjsEngine(pkg, graph);
}

export async function probeEngines(): Promise<{ name: string; ok: boolean; detail: string }[]> {
  const out: { name: string; ok: boolean; detail: string }[] = [];
  try {
    const { onnxProviders } = await import('./engine-onnx.ts');
    const p = await onnxProviders();
    out.push({ name: 'onnxruntime', ok: true, detail: `providers: ${p.available.join(', ')}${p.notes.length ? `; ${p.notes.join('; ')}` : ''}` });
  } catch (err) {
    out.push({ name: 'onnxruntime', ok: false, detail: (err as Error).message.split('\n')[0]! });
  }
  try {
    const { loadTfjs } = await import('./tfjs.ts');
    const t = await loadTfjs();
    out.push({ name: 'tfjs', ok: true, detail: `${t.backend}${t.notes.length ? ` (${t.notes.join('; ')})` : ''}` });
  } catch (err) {
    out.push({ name: 'tfjs', ok: false, detail: (err as Error).message.split('\n')[0]! });
  }
  return out;
}
