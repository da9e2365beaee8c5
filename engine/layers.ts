// The one model description both engines are built from: a plain list of layers (Keras names)
// plus one set of weights. The ONNX graph and the tfjs model are both generated from these.

/**
 * conv2d is always 3x3-or-`kernel` square, stride 1, same padding, followed by relu (VGG style).
 * `batchNorm` says how it trains: conv without bias → BatchNormalization → relu. Trained weights are
 * folded back into kernel and bias (foldedLayers), so packages and both engines see a plain conv.
 */
export type LayerSpec =
  | { type: 'conv2d'; name: string; filters: number; kernel: number; batchNorm?: boolean }
  | { type: 'maxpool'; name: string } /* 2x2, stride 2, valid padding (Keras default) */
  | { type: 'flatten'; name: string }
  | { type: 'gap'; name: string } /* global average pooling: [h,w,c] → [c] */
  | { type: 'gmp'; name: string } /* global max pooling: [h,w,c] → [c] */
  | { type: 'dense'; name: string; units: number; activation: 'relu' | 'softmax' }
  | { type: 'dropout'; name: string; rate: number };

export interface LayerWeights {
  kernel: Float32Array;
  kernelShape: number[] /* conv HWIO [k,k,cin,cout], dense [in,out] */;
  bias: Float32Array;
}

export type WeightSet = Map<string, LayerWeights>;

/** [h, w, c] while spatial, [units] after flatten. */
export type TensorShape = number[];

export function hasWeights(layer: LayerSpec): layer is Extract<LayerSpec, { type: 'conv2d' | 'dense' }> {
  return layer.type === 'conv2d' || layer.type === 'dense';
}

/** Output shape of one layer given its input shape (Keras semantics: floor on pooling). */
export function layerOutputShape(layer: LayerSpec, input: TensorShape): TensorShape {
  switch (layer.type) {
    case 'conv2d':
      return [input[0]!, input[1]!, layer.filters];
    case 'maxpool':
      return [Math.floor(input[0]! / 2), Math.floor(input[1]! / 2), input[2]!];
    case 'flatten':
      return [input.reduce((a, b) => a * b, 1)];
    case 'gap':
    case 'gmp':
      return [input[input.length - 1]!];
    case 'dense':
      return [layer.units];
    case 'dropout':
      return input;
  }
}

/** Shapes after every layer, in order (index i = output of layers[i]). */
export function layerShapes(layers: LayerSpec[], input: TensorShape): TensorShape[] {
  const out: TensorShape[] = [];
  let shape = input;
  for (const layer of layers) {
    shape = layerOutputShape(layer, shape);
    if (shape.some((d) => d < 1)) {
      throw new Error(`layer ${layer.name}: input ${input.join('x')} is too small for this network`);
    }
    out.push(shape);
  }
  return out;
}

/** The kernel shape a weighted layer expects given its input shape. */
export function expectedKernelShape(layer: LayerSpec, input: TensorShape): number[] {
  if (layer.type === 'conv2d') return [layer.kernel, layer.kernel, input[input.length - 1]!, layer.filters];
  if (layer.type === 'dense') return [input.reduce((a, b) => a * b, 1), layer.units];
  return [];
}

/** Checks every weighted layer has weights of the right shapes; returns a problem or null. */
export function checkWeights(layers: LayerSpec[], input: TensorShape, weights: WeightSet): string | null {
  let shape = input;
  for (const layer of layers) {
    if (hasWeights(layer)) {
      const w = weights.get(layer.name);
      if (!w) return `no weights for layer ${layer.name}`;
      const want = expectedKernelShape(layer, shape);
      if (w.kernelShape.join(',') !== want.join(',')) {
        return `layer ${layer.name}: kernel shape (${w.kernelShape.join(',')}) does not match expected (${want.join(',')})`;
      }
      const size = want.reduce((a, b) => a * b, 1);
      if (w.kernel.length !== size) return `layer ${layer.name}: kernel has ${w.kernel.length} values, expected ${size}`;
      const units = want[want.length - 1]!;
      if (w.bias.length !== units) return `layer ${layer.name}: bias has ${w.bias.length} values, expected ${units}`;
    }
    shape = layerOutputShape(layer, shape);
  }
  return null;
}

/** The layers as inference sees them: batch norm folded into the convs it followed. */
export function foldedLayers(layers: LayerSpec[]): LayerSpec[] {
  return layers.map((l) => (l.type === 'conv2d' && l.batchNorm ? { type: 'conv2d', name: l.name, filters: l.filters, kernel: l.kernel } : { ...l }));
}

/** Batch norm's parameters for one conv's output channels (tfjs order: gamma, beta, mean, variance). */
export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** conv → BN at inference is one conv: kernel·γ/√(σ²+ε) per output channel, bias β − μ·γ/√(σ²+ε). */
export function foldBatchNorm(kernel: Float32Array, kernelShape: number[], bn: BatchNormParams): LayerWeights {
  const out = kernelShape[kernelShape.length - 1]!;
  const scale = new Float32Array(out);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    scale[o] = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + bn.epsilon);
    bias[o] = bn.beta[o]! - bn.mean[o]! * scale[o]!;
  }
  const folded = new Float32Array(kernel.length);
  for (let i = 0; i < kernel.length; i++) folded[i] = kernel[i]! * scale[i % out]!; // HWIO: output channel is the last axis
  return { kernel: folded, kernelShape: [...kernelShape], bias };
}
