// The epoch loop shared by head training (cached features) and fine-tuning (augmented images):
// seeded shuffle each epoch, trainOnBatch, validation loss/accuracy, Keras' callbacks, one line
// per epoch. Inputs come in per batch from a source, so nothing needs the whole set in memory.
import type * as TF from '@tensorflow/tfjs';
import type { Tfjs } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';
import { eventLoopTurn } from '../kit/event-loop.ts';
import { EarlyStopping, ReduceLrOnPlateau, formatEpoch, recordEpoch } from './callbacks.ts';
import type { TrainingHistory } from './callbacks.ts';
import { leanAdam } from './lean-adam.ts';

export interface BatchSource {
  readonly size: number;
  readonly labels: Int32Array;
  /**
   * Model input for these rows and their labels; `train` turns on augmentation where the source
   * has any (a mirrored frame may change class, e.g. a `left` label becomes `right`).
   */
  inputs(tf: Tfjs, indices: number[], train: boolean): Promise<{ x: TF.Tensor; labels: Int32Array }>;
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
  /**
   * plateau (the notebook's ReduceLROnPlateau + EarlyStopping) or cosine: the rate falls from lr
   * to 0 over every step of every epoch (for from-scratch runs, which should run to the end).
   */
  schedule?: 'plateau' | 'cosine';
  /**
   * Epochs over which the rate rises linearly from 0 to lr first. Adam's first steps move every
   * weight by about lr whatever its gradient, which throws a trained head off when fine-tuning starts.
   */
  warmupEpochs?: number;
}

/** The learning rate at `step` (0-based) of `total` steps, warm-up steps first. */
export function scheduledRate(cfg: Pick<FitConfig, 'lr' | 'schedule'>, step: number, total: number, warmup: number): number {
  if (step < warmup) return (cfg.lr * (step + 1)) / warmup;
  if (cfg.schedule !== 'cosine') return cfg.lr;
  const t = (step - warmup) / Math.max(1, total - warmup);
  return cfg.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t)));
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
    const { x } = await src.inputs(tf, idx, false);
    const y = model.predict(x) as TF.Tensor;
    out.set((await y.data()) as Float32Array, s * k);
    tf.dispose([x, y]);
    await eventLoopTurn();
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
  const optimizer = leanAdam(tf, cfg.lr) as unknown as AdamLike; // tf.train.adam's math, a fraction of its memory
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const stop = new EarlyStopping({ minDelta: cfg.minDelta, patience: cfg.patience });
  const reduce = new ReduceLrOnPlateau({ factor: cfg.lrFactor, patience: cfg.lrPatience, minLr: cfg.minLr });
  const rand = seededRandom(cfg.seed);
  const cosine = cfg.schedule === 'cosine';
  const stepsPerEpoch = Math.ceil(train.size / cfg.batch);
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const warmupSteps = Math.round((cfg.warmupEpochs ?? 0) * stepsPerEpoch);
  let step = 0;
  let plateauLr = cfg.lr; // what ReduceLROnPlateau allows; the warm-up ramps up to it
  let best: { loss: number; epoch: number; weights: TF.Tensor[] } | undefined;
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const started = performance.now();
    const order = shuffled(train.size, rand);
    let lossSum = 0;
    let accSum = 0;
    for (let s = 0; s < order.length; s += cfg.batch) {
      const idx = order.slice(s, s + cfg.batch);
      if (cosine || step < warmupSteps)
        optimizer.learningRate = scheduledRate({ lr: cosine ? cfg.lr : plateauLr, schedule: cfg.schedule }, step, totalSteps, warmupSteps);
      else optimizer.learningRate = plateauLr;
      step++;
      const batch = await train.inputs(tf, idx, true);
      const x = batch.x;
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.labels, 'int32'), k));
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      await eventLoopTurn(); // lets Ctrl-C in
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
    if (cosine) continue; // the schedule owns the rate and runs to the last epoch
    if (stop.onEpochEnd(v.loss)) {
      history.stopped_early = true;
      log(`early stopping: val_loss has not improved by ${cfg.minDelta} for ${cfg.patience} epochs`);
      break;
    }
    plateauLr = reduce.onEpochEnd(v.loss, plateauLr);
    optimizer.learningRate = plateauLr;
  }
  if (best) {
    model.setWeights(best.weights);
    tf.dispose(best.weights);
    log(`restored the weights of epoch ${best.epoch} (lowest val_loss ${best.loss.toFixed(4)})`);
  }
}
