// The ceiling the machine allows: the model's FLOPs per frame (from the package's layer specs:
// conv and dense multiply-accumulates × 2) against the measured peak of a plain matmul on the
// same engine and threads. Every throughput figure then reads as a fraction of that limit.
import onnxProto from 'onnx-proto';
import { backboneLayers, headLayers } from '../engine/backbones.ts';
import { layerShapes, type LayerSpec } from '../engine/layers.ts';
import type { ModelMeta } from '../engine/package.ts';

const { onnx } = onnxProto;

/** Floating-point operations of one forward pass (2 per multiply-accumulate; convs are "same"). */
export function layerFlops(layers: LayerSpec[], height: number, width: number): number {
  const shapes = layerShapes(layers, [height, width, 3]);
  let macs = 0;
  let input: number[] = [height, width, 3];
  layers.forEach((l, i) => {
    const out = shapes[i]!;
    if (l.type === 'conv2d') macs += out[0]! * out[1]! * l.kernel * l.kernel * input[2]! * l.filters;
    if (l.type === 'dense') macs += input.reduce((a, b) => a * b, 1) * l.units;
    input = out;
  });
  return 2 * macs;
}

export function modelFlops(meta: ModelMeta): number {
  const layers = [
    ...backboneLayers(meta.backbone),
    ...headLayers({ classes: meta.classes, width: meta.head.width, depth: meta.head.depth, pool: meta.head.pool }),
  ];
  return layerFlops(layers, meta.input.height, meta.input.width);
}

/** An ONNX graph computing Y = A × B for a fixed B (n×n), A fed as [n, n] float32. */
export function matmulGraph(n: number): Uint8Array {
  const b = new Float32Array(n * n);
  for (let i = 0; i < b.length; i++) b[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'smashsight-bench',
    graph: {
      name: 'matmul_peak',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['y'], name: 'mm' }],
      initializer: [{ name: 'b', dims: [n, n], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(b.buffer) }],
      input: [valueInfo('a', n)],
      output: [valueInfo('y', n)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(name: string, n: number): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } },
  });
}

/** Best GFLOP/s of n×n×n matmuls (a few sizes, ~`seconds` each) on ONNX Runtime CPU with `threads`. */
export async function onnxPeakGflops(threads: number, sizes = [512, 1024], seconds = 1): Promise<number> {
  let best = 0;
  for (const n of sizes) best = Math.max(best, await onnxMatmulGflops(threads, n, seconds));
  return best;
}

async function onnxMatmulGflops(threads: number, n: number, seconds: number): Promise<number> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(matmulGraph(n), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const a = new ort.Tensor('float32', new Float32Array(n * n).fill(0.5), [n, n]);
  return bestRate(2 * n * n * n, seconds, async () => {
    await session.run({ a });
  }).finally(() => session.release());
}

/** Same on tfjs (whatever backend loaded). */
export async function tfjsPeakGflops(n = 512, seconds = 2): Promise<number> {
  const { loadTfjs } = await import('../engine/tfjs.ts');
  const { tf } = await loadTfjs();
  const a = tf.fill([n, n], 0.5);
  const b = tf.fill([n, n], 0.25);
  try {
    return await bestRate(2 * n * n * n, seconds, async () => {
      const y = tf.matMul(a, b);
      await y.data();
      y.dispose();
    });
  } finally {
    a.dispose();
    b.dispose();
  }
}

async function bestRate(flops: number, seconds: number, run: () => Promise<void>): Promise<number> {
  await run();
  let best = Infinity;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return flops / (best / 1000) / 1e9;
}
