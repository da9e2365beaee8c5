import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { layerFlops, matmulGraph } from '../bench/pipeline-flops.ts';
import { backboneLayers } from '../engine/backbones.ts';

describe('bench FLOPs and peak graph', () => {
  it('counts VGG16 without top at 30.7 GFLOP per 224x224 frame and 47.0 at 240x320', () => {
    expect(layerFlops(backboneLayers('vgg16'), 224, 224) / 1e9).toBeCloseTo(30.7, 1);
    expect(layerFlops(backboneLayers('vgg16'), 240, 320) / 1e9).toBeCloseTo(47.0, 1);
    expect(
      layerFlops(
        [
          { type: 'flatten', name: 'f' },
          { type: 'dense', name: 'd', units: 5, activation: 'softmax' },
        ],
        2,
        2,
      ),
    ).toBe(2 * 12 * 5);
  });

  it('the matmul graph runs on ONNX Runtime and computes A×B', async () => {
    const n = 4;
    const session = await ort.InferenceSession.create(matmulGraph(n));
    const a = new Float32Array(n * n);
    a[0] = 1; // first row of A picks the first row of B
    const y = (await session.run({ a: new ort.Tensor('float32', a, [n, n]) })).y!.data as Float32Array;
    const b0 = Array.from({ length: n }, (_, j) => ((j * 7919) % 1000) / 1000 - 0.5);
    expect(Array.from(y.subarray(0, n))).toEqual(b0.map((v) => Math.fround(v)));
    expect(Array.from(y.subarray(n))).toEqual(new Array(n * n - n).fill(0));
    await session.release();
  });
});
