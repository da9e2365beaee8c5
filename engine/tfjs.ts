// tfjs: the best backend that loads (node-gpu → node → wasm SIMD → cpu), and the tfjs model built
// from the same LayerSpec[] + WeightSet as the ONNX graph. Preprocessing is a registered custom
// layer so a saved model.json carries it.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { foldBatchNorm, hasWeights } from './layers.ts';
import { CAFFE_MEAN_BGR } from './caffe.ts';
import { registerWasmTrainingKernels } from './tfjs-wasm-grad.ts';
import { unrefWorkers, withWasmThreadShims, WASM_THREADS_VERIFIED } from './tfjs-wasm-threads.ts';
import type { LayerSpec, WeightSet } from './layers.ts';

export type Tfjs = typeof TF;
export interface LoadedTfjs {
  tf: Tfjs;
  backend: string /* 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu' */;
  notes: string[];
  /** Threads the backend computes with (wasm: its pthread pool; cpu: 1). */
  threads: number;
}

const require = createRequire(import.meta.url);
let loaded: Promise<LoadedTfjs> | undefined;

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e?.message ?? String(err)).split('\n')[0]!;
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Tfjs> {
  // Both packages re-export the whole tfjs API with their backend registered.
  const mod = (await import(pkg)) as { default?: Tfjs } & Tfjs;
  const tf = mod.default ?? mod;
  await tf.ready();
  return tf;
}

/** Threads for tfjs-wasm: SMASHSIGHT_WASM_THREADS, else all cores; the Node shim is verified on 4.22.0 only. */
function wasmThreads(version: string): { count: number; why: string } {
  const env = process.env.SMASHSIGHT_WASM_THREADS;
  if (version !== WASM_THREADS_VERIFIED) return { count: 1, why: `threads in Node verified with tfjs-backend-wasm ${WASM_THREADS_VERIFIED} only` };
  if (env !== undefined && /^\d+$/.test(env)) return { count: Math.max(1, Number(env)), why: 'SMASHSIGHT_WASM_THREADS' };
  return { count: os.availableParallelism(), why: '' };
}

async function tryWasm(notes: string[]): Promise<{ tf: Tfjs; threads: number }> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  // Node loads the .wasm files from disk: a file path prefix, not a URL.
  wasm.setWasmPaths(dist + path.sep);
  const threads = wasmThreads(wasm.version_wasm);
  // Emscripten's Node glue adds process handlers that rethrow every error from inside its
  // minified one-line file (megabytes of "source context" on any crash): take them back out.
  const before = {
    uncaughtException: new Set(process.listeners('uncaughtException')),
    unhandledRejection: new Set(process.listeners('unhandledRejection')),
  };
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads.count > 1);
    if (threads.count > 1) wasm.setThreadsCount(threads.count);
    const init = async (): Promise<boolean> => {
      if (!(await tf.setBackend('wasm'))) return false;
      await tf.ready();
      return true;
    };
    const ok = threads.count > 1 ? await withWasmThreadShims(wasm.version_wasm, threads.count, init) : await init();
    if (!ok) throw new Error('wasm backend failed to initialise');
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.has(l)) process.removeListener('unhandledRejection', l);
  }
  unrefWorkers((tf.backend() as unknown as { wasm: unknown }).wasm);
  registerWasmTrainingKernels(tf); // conv layers train on wasm too, at ~6-11x the speed of plain kernels
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  notes.push(`tfjs-wasm: ${simd ? 'SIMD' : 'no SIMD'}, ${wasm.getThreadsCount()} thread(s)${threads.why ? ` (${threads.why})` : ''}`);
  return { tf, threads: wasm.getThreadsCount() };
}

async function load(): Promise<LoadedTfjs> {
  const notes: string[] = [];
  for (const [pkg, backend] of [
    ['@tensorflow/tfjs-node-gpu', 'tfjs-node-gpu'],
    ['@tensorflow/tfjs-node', 'tfjs-node'],
  ] as const) {
    try {
      return { tf: await tryNative(pkg), backend, notes, threads: os.availableParallelism() };
    } catch (err) {
      notes.push(`${backend}: ${reason(err)}`);
    }
  }
  try {
    return { ...(await tryWasm(notes)), backend: 'tfjs-wasm', notes };
  } catch (err) {
    notes.push(`tfjs-wasm: ${reason(err)}`);
  }
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'tfjs-cpu', notes, threads: 1 };
}

/** Loads tfjs once per process with the best backend that works here. */
export function loadTfjs(): Promise<LoadedTfjs> {
  loaded ??= load();
  return loaded;
}

export { CAFFE_MEAN_BGR };
const registered = new WeakSet<object>();

/** Registers (once per tfjs instance) the layer: uint8 RGB → float, BGR, minus the ImageNet mean. */
export function registerCaffeLayer(tf: Tfjs): string {
  const className = 'CaffePreprocess';
  if (registered.has(tf.serialization)) return className;
  class CaffePreprocess extends tf.layers.Layer {
    static className = className;
    override call(inputs: TF.Tensor | TF.Tensor[]): TF.Tensor {
      return tf.tidy(() => {
        const x = tf.cast(Array.isArray(inputs) ? inputs[0]! : inputs, 'float32');
        return tf.sub(tf.reverse(x, -1), tf.tensor1d([...CAFFE_MEAN_BGR]));
      });
    }
    override computeOutputShape(shape: TF.Shape | TF.Shape[]): TF.Shape | TF.Shape[] {
      return shape;
    }
  }
  tf.serialization.registerClass(CaffePreprocess);
  registered.add(tf.serialization);
  return className;
}

export type TfjsInput = { height: number; width: number } | { features: number | number[] };

export interface BuildOptions {
  /** Adds the caffe preprocessing layer after a uint8 (int32 in tfjs) input. Default: true for images. */
  preprocess?: boolean;
  /** Layers before this name are frozen (fine-tuning); default: all trainable. */
  trainableFrom?: string;
  /** Build `batchNorm` convs as conv → BN → relu, to train them; default: plain convs (folded weights). */
  batchNorm?: boolean;
}

/** Batch norm's own layers after a `batchNorm` conv (training only: packages hold it folded). */
const bnName = (conv: string): string => `${conv}_bn`;
const reluName = (conv: string): string => `${conv}_relu`;
// Momentum 0.9, not Keras' 0.99: small CPU runs take a few hundred steps, and the moving averages
// must have caught up with the weights by the time a model is evaluated.
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-3;

function tfjsLayers(tf: Tfjs, spec: LayerSpec, trainable: boolean, batchNorm: boolean): TF.layers.Layer[] {
  if (batchNorm && spec.type === 'conv2d' && spec.batchNorm) {
    return [
      tf.layers.conv2d({ name: spec.name, filters: spec.filters, kernelSize: spec.kernel, padding: 'same', useBias: false, trainable }),
      tf.layers.batchNormalization({ name: bnName(spec.name), momentum: BN_MOMENTUM, epsilon: BN_EPSILON, trainable }),
      tf.layers.activation({ name: reluName(spec.name), activation: 'relu' }),
    ];
  }
  return [tfjsLayer(tf, spec, trainable)];
}

function tfjsLayer(tf: Tfjs, spec: LayerSpec, trainable: boolean): TF.layers.Layer {
  switch (spec.type) {
    case 'conv2d':
      return tf.layers.conv2d({ name: spec.name, filters: spec.filters, kernelSize: spec.kernel, padding: 'same', activation: 'relu', trainable });
    case 'gap':
      return tf.layers.globalAveragePooling2d({ name: spec.name });
    case 'gmp':
      return tf.layers.globalMaxPooling2d({ name: spec.name });
    case 'maxpool':
      return tf.layers.maxPooling2d({ name: spec.name, poolSize: 2, strides: 2, padding: 'valid' });
    case 'flatten':
      return tf.layers.flatten({ name: spec.name });
    case 'dense':
      return tf.layers.dense({ name: spec.name, units: spec.units, activation: spec.activation, kernelInitializer: 'zeros', trainable });
    case 'dropout':
      return tf.layers.dropout({ name: spec.name, rate: spec.rate });
  }
}

/** A tf.LayersModel from the layer list and weights (same description the ONNX export uses). */
export function buildTfjsModel(tf: Tfjs, layers: LayerSpec[], weights: WeightSet, input: TfjsInput, opts: BuildOptions = {}): TF.LayersModel {
  const images = 'height' in input;
  const preprocess = opts.preprocess ?? images;
  const shape = images ? [input.height, input.width, 3] : typeof input.features === 'number' ? [input.features] : input.features;
  const inp = tf.input({ shape, dtype: images && preprocess ? 'int32' : 'float32', name: images ? 'frames' : 'features' });
  let x = inp as TF.SymbolicTensor;
  if (preprocess) {
    registerCaffeLayer(tf);
    const Caffe = tf.serialization.SerializationMap.getMap().classNameMap.CaffePreprocess![0] as unknown as new (a: object) => TF.layers.Layer;
    x = new Caffe({ name: 'caffe_preprocess', dtype: 'float32' }).apply(x) as TF.SymbolicTensor;
  }
  let trainable = opts.trainableFrom === undefined;
  const built: [LayerSpec, TF.layers.Layer[]][] = [];
  for (const spec of layers) {
    if (spec.name === opts.trainableFrom) trainable = true;
    if (spec.type === 'flatten' && shape.length === 1) continue; // already flat features
    const parts = tfjsLayers(tf, spec, trainable, opts.batchNorm ?? false);
    for (const layer of parts) x = layer.apply(x) as TF.SymbolicTensor;
    built.push([spec, parts]);
  }
  if (opts.trainableFrom !== undefined && !trainable) throw new Error(`no layer named ${opts.trainableFrom}`);
  const model = tf.model({ inputs: inp, outputs: x });
  for (const [spec, parts] of built) {
    if (!hasWeights(spec)) continue;
    const w = weights.get(spec.name);
    if (!w) throw new Error(`no weights for layer ${spec.name}`);
    // setWeights copies into the layer's variables: the tensors handed to it are ours to free
    // (kept, they held a second copy of every weight for as long as the process ran).
    const set = (layer: TF.layers.Layer, values: TF.Tensor[]): void => {
      layer.setWeights(values);
      tf.dispose(values);
    };
    if (parts.length === 1) {
      set(parts[0]!, [tf.tensor(w.kernel, w.kernelShape), tf.tensor1d(w.bias)]);
      continue;
    }
    // conv → BN: start from identity statistics, the layer's bias becoming BN's shift.
    const n = w.bias.length;
    set(parts[0]!, [tf.tensor(w.kernel, w.kernelShape)]);
    set(parts[1]!, [tf.ones([n]), tf.tensor1d(w.bias), tf.zeros([n]), tf.ones([n])]);
  }
  return model;
}

/** Reads trained weights back (e.g. to export ONNX from a tfjs-trained model), batch norm folded in. */
export function readTfjsWeights(model: TF.LayersModel, layers: LayerSpec[]): WeightSet {
  const out: WeightSet = new Map();
  const values = (t: TF.Tensor | undefined, what: string): Float32Array => {
    if (!t) throw new Error(`${what} has no weights in the tfjs model`);
    return new Float32Array(t.dataSync());
  };
  for (const spec of layers) {
    if (!hasWeights(spec)) continue;
    const [kernel, bias] = model.getLayer(spec.name).getWeights();
    if (!kernel) throw new Error(`layer ${spec.name} has no weights in the tfjs model`);
    if (spec.type === 'conv2d' && spec.batchNorm && model.layers.some((l) => l.name === bnName(spec.name))) {
      const [gamma, beta, mean, variance] = model.getLayer(bnName(spec.name)).getWeights();
      const bn = bnName(spec.name);
      const params = { gamma: values(gamma, bn), beta: values(beta, bn), mean: values(mean, bn), variance: values(variance, bn), epsilon: BN_EPSILON };
      out.set(spec.name, foldBatchNorm(new Float32Array(kernel.dataSync()), kernel.shape, params));
      continue;
    }
    out.set(spec.name, { kernel: new Float32Array(kernel.dataSync()), kernelShape: kernel.shape, bias: values(bias, spec.name) });
  }
  return out;
}
