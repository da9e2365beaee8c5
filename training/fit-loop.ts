// The epoch loop shared by head training (cached features) and fine-tuning (augmented images):
// seeded shuffle each epoch, trainOnBatch, validation loss/accuracy, Keras' callbacks, one line
// per epoch. Inputs come in per batch from a source, so nothing needs the whole set in memory.
import type * as TF from '@tensorflow/tfjs';
import type { Tfjs } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';
import { EarlyStopping, ReduceLrOnPlateau, formatEpoch, recordEpoch } from './callbacks.ts';
import type { TrainingHistory } from './callbacks.ts';

export interface BatchSource {
  readonly size: number;
  readonly labels: Int32Array;
  /** Model input for these rows; `train` turns on augmentation where the source has any. */
  inputs(tf: Tfjs, indices: number[], train: boolean): Promise<TF.Tensor>;
}

export interface FitConfig {
  lr: number;
  batch: number;
  epochs: number;
  minDelta: number;
  patience: number;
  lrFactor: number;
  lrPatience: number;
  minLr: number;
  seed: number;
  /** Keras' restore_best_weights: end with the weights of the lowest val_loss epoch. */
  restoreBest?: boolean;
}

/** Fisher–Yates with a seeded generator. */
export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Class probabilities for every row of a source, in order, with the model in inference mode. */
export async function predictSource(tf: Tfjs, model: TF.LayersModel, src: BatchSource, batch = 64): Promise<Float32Array> {
  const k = model.outputs[0].shape[1] as number;
  const out = new Float32Array(src.size * k);
  for (let s = 0; s < src.size; s += batch) {
    const idx = Array.from({ length: Math.min(batch, src.size - s) }, (_, i) => s + i);
    const x = await src.inputs(tf, idx, false);
    const y = model.predict(x) as TF.Tensor;
    out.set((await y.data()) as Float32Array, s * k);
    tf.dispose([x, y]);
  }
  return out;
}

/** Keras' categorical cross-entropy (probabilities clipped to 1e-7) and accuracy. */
export function lossAndAccuracy(probs: Float32Array, labels: Int32Array, k: number): { loss: number; acc: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probs.subarray(i * k, (i + 1) * k);
    loss -= Math.log(Math.min(Math.max(row[labels[i]], 1e-7), 1 - 1e-7));
    let best = 0;
    for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
    if (best === labels[i]) correct += 1;
  }
  return { loss: loss / Math.max(labels.length, 1), acc: correct / Math.max(labels.length, 1) };
}

type AdamLike = TF.Optimizer & { learningRate: number };

/** Trains a compiled-here model; returns after `epochs` or when early stopping says so. */
export async function fitModel(
  tf: Tfjs,
  model: TF.LayersModel,
  train: BatchSource,
  valid: BatchSource,
  cfg: FitConfig,
  history: TrainingHistory,
  stage: string,
  log: (line: string) => void,
): Promise<void> {
  const k = model.outputs[0].shape[1] as number;
  const optimizer = tf.train.adam(cfg.lr) as unknown as AdamLike;
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const stop = new EarlyStopping({ minDelta: cfg.minDelta, patience: cfg.patience });
  const reduce = new ReduceLrOnPlateau({ factor: cfg.lrFactor, patience: cfg.lrPatience, minLr: cfg.minLr });
  const rand = seededRandom(cfg.seed);
  let best: { loss: number; epoch: number; weights: TF.Tensor[] } | undefined;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const started = performance.now();
    const order = shuffled(train.size, rand);
    let lossSum = 0;
    let accSum = 0;
    for (let s = 0; s < order.length; s += cfg.batch) {
      const idx = order.slice(s, s + cfg.batch);
      const x = await train.inputs(tf, idx, true);
      const y = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            idx.map((i) => train.labels[i]),
            'int32',
          ),
          k,
        ),
      );
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      lossSum += loss * idx.length;
      accSum += acc * idx.length;
    }
    const v = lossAndAccuracy(await predictSource(tf, model, valid), valid.labels, k);
    const lr = optimizer.learningRate;
    const figures = { loss: lossSum / train.size, acc: accSum / train.size, valLoss: v.loss, valAcc: v.acc, lr, seconds: (performance.now() - started) / 1000 };
    recordEpoch(history, figures, stage);
    log(formatEpoch(epoch, cfg.epochs, figures));
    if (cfg.restoreBest && v.loss < (best?.loss ?? Infinity)) {
      if (best) tf.dispose(best.weights);
      best = { loss: v.loss, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    if (stop.onEpochEnd(v.loss)) {
      history.stopped_early = true;
      log(`early stopping: val_loss has not improved by ${cfg.minDelta} for ${cfg.patience} epochs`);
      break;
    }
    optimizer.learningRate = reduce.onEpochEnd(v.loss, lr);
  }
  if (best) {
    model.setWeights(best.weights);
    tf.dispose(best.weights);
    log(`restored the weights of epoch ${best.epoch} (lowest val_loss ${best.loss.toFixed(4)})`);
  }
}
