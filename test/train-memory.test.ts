// What train's memory fixes must not change: the lean Adam gives tfjs' Adam's weights bit for bit
// and leaves no tensor behind, and a built tfjs model owns the only copy of its weights.
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { headLayers, randomWeights } from '../engine/backbones.ts';
import { buildTfjsModel, loadTfjs, type Tfjs } from '../engine/tfjs.ts';
import { leanAdam } from '../training/lean-adam.ts';

function tinyModel(tf: Tfjs): TF.LayersModel {
  const layers = headLayers({ classes: 3, width: 8, depth: 2, dropout: 0 });
  return buildTfjsModel(tf, layers, randomWeights(layers, [2, 2, 5], 7), { features: [2, 2, 5] });
}

async function trainSteps(tf: Tfjs, optimizer: TF.Optimizer, steps: number): Promise<Float32Array[]> {
  const model = tinyModel(tf);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  for (let s = 0; s < steps; s++) {
    const x = tf.tensor4d(
      Float32Array.from({ length: 6 * 20 }, (_, i) => Math.sin(i * 0.37 + s)),
      [6, 2, 2, 5],
    );
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const out = model.getWeights().map((w) => new Float32Array(w.dataSync()));
  model.dispose();
  return out;
}

describe('train memory', () => {
  it('leanAdam trains to exactly the weights tf.train.adam does, and leaks no tensors', async () => {
    const { tf } = await loadTfjs();
    // What stays after a run once the optimizer is disposed (tfjs-layers keeps a little of its own)
    const leftAfter = async (optimizer: TF.Optimizer): Promise<{ weights: Float32Array[]; left: number }> => {
      const before = tf.memory().numTensors;
      const weights = await trainSteps(tf, optimizer, 5);
      optimizer.dispose();
      return { weights, left: tf.memory().numTensors - before };
    };
    const stock = await leftAfter(tf.train.adam(1e-2));
    const lean = await leftAfter(leanAdam(tf, 1e-2));
    expect(lean.left).toBe(stock.left);
    const [want, got] = [stock.weights, lean.weights];
    expect(got.length).toBe(want.length);
    got.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(want[i]!)));
    const fresh = tinyModel(tf);
    const init = fresh.getWeights().map((w) => Array.from(w.dataSync()));
    fresh.dispose();
    expect(got.some((w, i) => Array.from(w).some((v, j) => v !== init[i]![j]))).toBe(true); // it did train
  });

  it('buildTfjsModel keeps no copy of the weights it was given', async () => {
    const { tf } = await loadTfjs();
    const before = tf.memory();
    const model = tinyModel(tf);
    const params = model.getWeights().reduce((n, w) => n + w.size, 0);
    expect(tf.memory().numBytes - before.numBytes).toBe(params * 4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });
});

describe('bench-train-memory', () => {
  it('reads the phase from train stderr lines and refuses counts that are not whole rounds', async () => {
    const { parseCounts, phaseOf } = await import('../bench/train-memory.ts');
    expect(phaseOf('feature cache /x: 0.029 GB for 576 images')).toBe('extract');
    expect(phaseOf('features train: 16/576 3% 3.1/s ETA 3m02s')).toBe('extract');
    expect(phaseOf('training the head on tfjs-wasm: 576 rows of 25088 features')).toBe('head');
    expect(phaseOf('Epoch 1/3 - loss 2.6986')).toBe('head');
    expect(phaseOf('package: exporting ONNX and tfjs, then evaluating on the test split')).toBe('package');
    expect(phaseOf('evaluate test: 16/72 22%')).toBe('evaluate');
    expect(phaseOf('test top-1 20.8%')).toBeNull();
    expect(parseCounts('720,7200')).toEqual([720, 7200]);
    expect(() => parseCounts('700')).toThrow(/^--counts 700: each count must be a positive multiple of 144 frames$/);
  });
});
