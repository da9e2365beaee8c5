// Keras' EarlyStopping / ReduceLROnPlateau semantics, the epoch line, and the seeded shuffle.
import { describe, expect, it } from 'vitest';
import { EarlyStopping, ReduceLrOnPlateau, formatEpoch } from '../training/callbacks.ts';
import { fitModel, lossAndAccuracy, predictSource, shuffled } from '../training/fit-loop.ts';
import type { BatchSource } from '../training/fit-loop.ts';
import { emptyHistory } from '../training/callbacks.ts';
import { loadTfjs } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';
import { augmentFrame, NOTEBOOK_AUGMENT } from '../training/augment.ts';

describe('EarlyStopping (min_delta 0.005, patience 3)', () => {
  it('stops after three epochs that do not beat the best by more than min_delta', () => {
    const s = new EarlyStopping({ minDelta: 0.005, patience: 3 });
    expect(s.onEpochEnd(1.0)).toBe(false);
    expect(s.onEpochEnd(0.9)).toBe(false); // improved
    expect(s.onEpochEnd(0.897)).toBe(false); // 0.003 better: not enough (1)
    expect(s.onEpochEnd(0.896)).toBe(false); // (2)
    expect(s.onEpochEnd(0.8951)).toBe(true); // (3): stop, still measured against 0.9
  });

  it('resets the wait on a real improvement', () => {
    const s = new EarlyStopping({ minDelta: 0.005, patience: 2 });
    s.onEpochEnd(1.0);
    expect(s.onEpochEnd(1.0)).toBe(false);
    expect(s.onEpochEnd(0.9)).toBe(false);
    expect(s.onEpochEnd(0.9)).toBe(false);
    expect(s.onEpochEnd(0.91)).toBe(true);
  });
});

describe('ReduceLROnPlateau (factor 0.2, patience 2, min_lr 1e-5)', () => {
  it('multiplies the rate by 0.2 after two flat epochs and never goes below min_lr', () => {
    const r = new ReduceLrOnPlateau({ factor: 0.2, patience: 2, minLr: 1e-5 });
    let lr = 1e-4;
    lr = r.onEpochEnd(1.0, lr);
    expect(lr).toBe(1e-4);
    lr = r.onEpochEnd(1.0, lr);
    expect(lr).toBe(1e-4);
    lr = r.onEpochEnd(1.0, lr);
    expect(lr).toBeCloseTo(2e-5, 12);
    lr = r.onEpochEnd(1.0, lr);
    lr = r.onEpochEnd(1.0, lr);
    expect(lr).toBe(1e-5);
    lr = r.onEpochEnd(1.0, lr);
    lr = r.onEpochEnd(1.0, lr);
    expect(lr).toBe(1e-5);
  });

  it('keeps the rate while val_loss improves', () => {
    const r = new ReduceLrOnPlateau({ factor: 0.2, patience: 2, minLr: 1e-5 });
    let lr = 1e-4;
    for (const v of [1, 0.9, 0.8, 0.7, 0.6]) lr = r.onEpochEnd(v, lr);
    expect(lr).toBe(1e-4);
  });
});

describe('epoch loop pieces', () => {
  it('prints one Keras-like line per epoch', () => {
    expect(formatEpoch(3, 15, { loss: 0.41, acc: 0.88, valLoss: 0.35, valAcc: 0.91, lr: 1e-4, seconds: 12.34 })).toBe(
      'Epoch 3/15 - loss 0.4100 - acc 0.8800 - val_loss 0.3500 - val_acc 0.9100 - lr 1e-4 - 12.3s',
    );
  });

  it('shuffles the same way for the same seed, differently for another', () => {
    const a = shuffled(50, seededRandom(7));
    expect(shuffled(50, seededRandom(7))).toEqual(a);
    expect(shuffled(50, seededRandom(8))).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("computes Keras' categorical cross-entropy and accuracy", () => {
    const probs = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.1, 0.8]);
    const r = lossAndAccuracy(probs, Int32Array.from([0, 1]), 3);
    expect(r.acc).toBe(0.5);
    expect(r.loss).toBeCloseTo((-Math.log(0.7) - Math.log(0.1)) / 2, 5);
  });
});

describe('augmentation', () => {
  it('shifts, zooms and flips within the notebook ranges and fills with 0', () => {
    const w = 40;
    const h = 30;
    const src = new Uint8Array(w * h * 3).fill(200);
    const rand = seededRandom(3);
    let sawFill = false;
    for (let i = 0; i < 20; i++) {
      const out = augmentFrame(src, w, h, rand, NOTEBOOK_AUGMENT).pixels;
      expect(out.length).toBe(src.length);
      const zeros = out.filter((v) => v === 0).length / 3;
      if (zeros > 0) sawFill = true;
      // at most a 5% shift plus a 10% zoom-out on each axis can be empty
      expect(zeros).toBeLessThan(w * h * (1 - 0.85 * 0.85));
      // the centre pixel always comes from the image
      expect(out[(15 * w + 20) * 3]).toBe(200);
    }
    expect(sawFill).toBe(true);
  });
});

describe('fitModel --restore-best', () => {
  it('ends with the weights of the lowest-val_loss epoch', async () => {
    const { tf } = await loadTfjs();
    const rand = seededRandom(5);
    const source = (n: number): BatchSource => {
      const x = Float32Array.from({ length: n * 4 }, () => rand() * 2 - 1);
      const labels = Int32Array.from({ length: n }, (_, i) => (x[i * 4] + 0.3 * x[i * 4 + 1] > 0 ? 1 : 0));
      return {
        size: n,
        labels,
        inputs: async (t, idx) => ({
          x: t.tensor2d(Array.from(idx, (i) => Array.from(x.subarray(i * 4, i * 4 + 4)))),
          labels: Int32Array.from(idx, (i) => labels[i]!),
        }),
      };
    };
    const train = source(64);
    const valid = source(32);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    const history = emptyHistory();
    // A learning rate far too high makes val_loss jump around, so the last epoch is rarely the best.
    const cfg = { lr: 0.5, batch: 8, epochs: 8, minDelta: 0, patience: 99, lrFactor: 0.5, lrPatience: 99, minLr: 0, seed: 1, restoreBest: true };
    await fitModel(tf, model, train, valid, cfg, history, 'head', () => {});
    const final = lossAndAccuracy(await predictSource(tf, model, valid), valid.labels, 2).loss;
    expect(Math.min(...history.val_loss)).toBeLessThan(history.val_loss[history.val_loss.length - 1]);
    expect(final).toBeCloseTo(Math.min(...history.val_loss), 5);
    model.dispose();
  });
});
