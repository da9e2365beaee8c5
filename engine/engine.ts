// One interface for everything that runs a network, and the checks every engine shares. Which
// engine a package opens with is the factory's business (open-engine.ts).
import os from 'node:os';

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
/** auto: int8 when the package has it and the CPU has VNNI, else fp32. */
export type Precision = 'auto' | 'int8' | 'fp32';
export const PRECISIONS: readonly Precision[] = ['auto', 'int8', 'fp32'];
export type DeviceKind = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export const ENGINE_KINDS: readonly EngineKind[] = ['onnx', 'tfjs'];
export const DEVICE_KINDS: readonly DeviceKind[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

export interface EngineOptions {
  engine?: EngineKind;
  device?: DeviceKind;
  threads?: number;
  graph?: 'model' | 'backbone';
  precision?: Precision;
  /** ONNX Runtime in a worker thread, so the caller's event loop runs during inference (serve). */
  worker?: boolean;
  /**
   * ONNX Runtime's CPU memory arena (default on): it keeps every buffer a run needed for the next
   * run. Off for one-pass batch jobs (train's extraction and evaluation): VGG16 at batch 16 then
   * peaks at ~0.45 GB above the weights instead of holding ~0.9 GB for the session's life.
   */
  arena?: boolean;
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
