// The fast wasm gradient kernels (engine/tfjs-wasm-grad.ts) against tfjs' plain-JS cpu backend:
// conv filter and input gradients, strided and padded, and a batch-norm layer's gradients.
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';

type Case = { x: [number, number, number, number]; w: [number, number, number, number]; stride: number; pad: 'same' | 'valid' };

const CASES: Case[] = [
  { x: [2, 9, 11, 3], w: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 10, 12, 4], w: [3, 3, 4, 5], stride: 2, pad: 'same' },
  { x: [1, 9, 9, 2], w: [5, 5, 2, 3], stride: 2, pad: 'valid' },
  { x: [3, 8, 6, 5], w: [1, 1, 5, 2], stride: 1, pad: 'valid' },
];

describe('tfjs-wasm gradient kernels', () => {
  it('conv2d dx and dW match the cpu backend', async () => {
    const { tf, backend } = await loadTfjs();
    expect(backend).toBe('tfjs-wasm');
    const rand = seededRandom(8);
    const values = (shape: number[]): Float32Array => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);
    for (const c of CASES) {
      const xv = values(c.x);
      const wv = values(c.w);
      const grads = async (name: string): Promise<Float32Array[]> => {
        await tf.setBackend(name);
        const f = (x: ReturnType<typeof tf.tensor4d>, w: ReturnType<typeof tf.tensor4d>) => tf.sum(tf.square(tf.conv2d(x, w, c.stride, c.pad)));
        const [dx, dw] = tf.grads(f as never)([tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w)]);
        return [(await dx!.data()) as Float32Array, (await dw!.data()) as Float32Array];
      };
      const cpu = await grads('cpu');
      const wasm = await grads('wasm');
      for (const [k, label] of ['dx', 'dW'].entries()) {
        const scale = Math.max(...cpu[k]!.map(Math.abs));
        const worst = Math.max(...cpu[k]!.map((v, i) => Math.abs(v - wasm[k]![i]!)));
        expect(worst / scale, `${label} for ${JSON.stringify(c)}`).toBeLessThan(1e-4);
      }
    }
  });

  it('a batch-norm layer trains to the same weights on both backends', async () => {
    const { tf } = await loadTfjs();
    const rand = seededRandom(9);
    const xv = Float32Array.from({ length: 4 * 6 * 6 * 3 }, () => rand() * 4 - 2);
    const train = async (name: string): Promise<Float32Array[]> => {
      await tf.setBackend(name);
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'ones' }),
          tf.layers.batchNormalization({ momentum: 0.9 }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: 'ones' }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(xv, [4, 6, 6, 3]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
      for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
      const w = await Promise.all(model.getWeights().map(async (t) => (await t.data()) as Float32Array));
      model.dispose();
      return w;
    };
    const cpu = await train('cpu');
    const wasm = await train('wasm');
    cpu.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - wasm[i]![j]!)).toBeLessThan(1e-4)));
  });
});
