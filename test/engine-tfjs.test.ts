// The conv filter gradient we add to tfjs-wasm (it ships none) must equal tfjs-cpu's, so
// fine-tuning on wasm trains the same network the cpu backend would.
import type { Tensor4D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadTfjs } from '../engine/tfjs.ts';

describe('tfjs-wasm Conv2DBackpropFilter', () => {
  it.each([
    { stride: 1, pad: 'same' as const },
    { stride: 2, pad: 'valid' as const },
  ])('matches tfjs-cpu (stride $stride, pad $pad)', async ({ stride, pad }) => {
    const { tf, backend } = await loadTfjs();
    expect(backend).toBe('tfjs-wasm');
    const grad = async (name: string): Promise<Float32Array> => {
      await tf.setBackend(name);
      const x = tf.tensor4d(
        Float32Array.from({ length: 2 * 7 * 9 * 3 }, (_, i) => Math.sin(i * 0.7) * Math.max(0, Math.cos(i))),
        [2, 7, 9, 3],
      );
      const w = tf.tensor4d(
        Float32Array.from({ length: 3 * 3 * 3 * 5 }, (_, i) => Math.cos(i * 1.3)),
        [3, 3, 3, 5],
      );
      const g = tf.grad((k) => tf.sum(tf.mul(tf.conv2d(x, k as Tensor4D, stride, pad), tf.range(1, 2, 1 / 64).slice(0, 5))))(w);
      const data = (await g.data()) as Float32Array;
      tf.dispose([x, w, g]);
      return data;
    };
    const cpu = await grad('cpu');
    const wasm = await grad('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i]!, 4);
    expect(cpu.some((v) => Math.abs(v) > 0.1)).toBe(true);
  });
});
