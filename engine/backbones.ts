// Backbones (VGG16 without top; bn5, five batch-norm blocks made to train from scratch on a CPU;
// and a tiny one for tests), the notebook's dense head (or a global-pooling one), and Keras-default
// seeded random weights. Defined once; both engines build from these.
import { seededRandom } from '../kit/rng.ts';
import { hasWeights, expectedKernelShape, layerOutputShape } from './layers.ts';
import type { LayerSpec, TensorShape, WeightSet } from './layers.ts';

export type BackboneName = 'vgg16' | 'bn5' | 'bn5-fine' | 'tiny';
export const BACKBONES: readonly BackboneName[] = ['vgg16', 'bn5', 'bn5-fine', 'tiny'];

/** Smallest input side each backbone accepts (each maxpool halves, floor). */
export const MIN_INPUT: Record<BackboneName, number> = { vgg16: 32, bn5: 32, 'bn5-fine': 16, tiny: 16 };

/** flatten: the notebook's; gap: global average; max: global max (a small figure anywhere in the frame still fires its channels). */
export type HeadPool = 'flatten' | 'gap' | 'max';
export const HEAD_POOLS: readonly HeadPool[] = ['flatten', 'gap', 'max'];
/** How each backbone's head pools by default: the notebook's Flatten for VGG16 and tiny; bn5 is a GAP network. */
export const DEFAULT_POOL: Record<BackboneName, HeadPool> = { vgg16: 'flatten', bn5: 'gap', 'bn5-fine': 'gap', tiny: 'flatten' };

function blocks(filters: number[][], batchNorm = false): LayerSpec[] {
  const layers: LayerSpec[] = [];
  filters.forEach((convs, b) => {
    convs.forEach((f, c) => layers.push({ type: 'conv2d', name: `block${b + 1}_conv${c + 1}`, filters: f, kernel: 3, ...(batchNorm ? { batchNorm } : {}) }));
    layers.push({ type: 'maxpool', name: `block${b + 1}_pool` });
  });
  return layers;
}

/** Keras `applications/vgg16.py` with include_top=False, same layer names. */
const VGG16 = blocks([
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
]);
/**
 * Five blocks of 3x3 conv → batch norm → relu → 2x2 max pool, 16 to 256 channels: ~0.19 GFLOP per
 * 160x120 frame (VGG16: 30.7 at 224x224), so it trains end to end from random weights on 2 cores.
 * Batch norm lets it train fast from scratch; packages hold it folded into the convs.
 */
const BN5 = blocks([[16], [32], [64], [128], [256]], true);
/**
 * bn5's five batch-norm convs with the first two before the first pool: the second conv sees the
 * frame at full resolution, which is what a small figure needs (the median HUD-off close-view
 * figure is 86 visible pixels at 96x72). ~4x bn5's work; on the held-out stage the PyTorch probe
 * measured 54.7% -> 64.6% at 96x72 and 62.2% -> 74.7% at 128x96 over bn5 (README).
 */
const BN5_FINE = blocks([[16, 32], [64], [128], [256]], true);
/** Four VGG-style blocks, one conv each: fast on 2 CPU cores. */
const TINY = blocks([[16], [32], [64], [64]]);

export function backboneLayers(name: BackboneName): LayerSpec[] {
  const layers = name === 'vgg16' ? VGG16 : name === 'bn5' ? BN5 : name === 'bn5-fine' ? BN5_FINE : TINY;
  return layers.map((l) => ({ ...l }));
}

export function isBackboneName(name: string): name is BackboneName {
  return (BACKBONES as readonly string[]).includes(name);
}

/** [h, w, c] of the backbone's output (the bottleneck features) for an input size. */
export function featureShape(name: BackboneName, height: number, width: number): [number, number, number] {
  let shape: TensorShape = [height, width, 3];
  for (const layer of backboneLayers(name)) shape = layerOutputShape(layer, shape);
  return [shape[0]!, shape[1]!, shape[2]!];
}

export interface HeadOptions {
  classes: number;
  width?: number;
  depth?: number;
  dropout?: number;
  /** Flatten (the notebook's: position-sensitive) or global average pooling (where the figure is does not matter). */
  pool?: HeadPool;
}

/** The notebook's head: Flatten (or global average / max pooling) → depth × [Dense relu → Dropout] → Dense softmax. Keras-style names. */
export function headLayers(o: HeadOptions): LayerSpec[] {
  const { classes, width = 512, depth = 3, dropout = 0.2, pool = 'flatten' } = o;
  const first: Record<HeadPool, LayerSpec> = {
    flatten: { type: 'flatten', name: 'flatten_1' },
    gap: { type: 'gap', name: 'global_average_pooling2d_1' },
    max: { type: 'gmp', name: 'global_max_pooling2d_1' },
  };
  const layers: LayerSpec[] = [first[pool]];
  for (let i = 1; i <= depth; i++) {
    layers.push({ type: 'dense', name: `dense_${i}`, units: width, activation: 'relu' });
    layers.push({ type: 'dropout', name: `dropout_${i}`, rate: dropout });
  }
  layers.push({ type: 'dense', name: `dense_${depth + 1}`, units: classes, activation: 'softmax' });
  return layers;
}

/**
 * How random weights are drawn. keras: glorot_uniform kernels, zero biases, lecun_uniform for hidden
 * relu Dense layers (as the notebook's head). torch: PyTorch's layer defaults, kernels and dense
 * biases from U(±1/sqrt(fan_in)): smaller kernels, which under batch norm train faster from scratch.
 */
export type WeightInit = 'keras' | 'torch';
export const WEIGHT_INITS: readonly WeightInit[] = ['keras', 'torch'];

/** Seeded random weights for `layers`; `inputShape` is what the first layer receives ([h,w,c]). */
export function randomWeights(layers: LayerSpec[], inputShape: [number, number, number] | number[], seed: number, init: WeightInit = 'keras'): WeightSet {
  const rand = seededRandom(seed);
  const weights: WeightSet = new Map();
  let shape: TensorShape = [...inputShape];
  for (const layer of layers) {
    if (hasWeights(layer)) {
      const kernelShape = expectedKernelShape(layer, shape);
      const receptive = kernelShape.length === 4 ? kernelShape[0]! * kernelShape[1]! : 1;
      const fanIn = receptive * kernelShape[kernelShape.length - 2]!;
      const fanOut = receptive * kernelShape[kernelShape.length - 1]!;
      const lecun = layer.type === 'dense' && layer.activation === 'relu';
      const limit = init === 'torch' ? 1 / Math.sqrt(fanIn) : lecun ? Math.sqrt(3 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      const kernel = new Float32Array(kernelShape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < kernel.length; i++) kernel[i] = (rand() * 2 - 1) * limit;
      const bias = new Float32Array(kernelShape[kernelShape.length - 1]!);
      // PyTorch draws Dense biases too; convs under batch norm have none (the norm's shift is it)
      if (init === 'torch' && layer.type === 'dense') for (let i = 0; i < bias.length; i++) bias[i] = (rand() * 2 - 1) * limit;
      weights.set(layer.name, { kernel, kernelShape, bias });
    }
    shape = layerOutputShape(layer, shape);
  }
  return weights;
}
