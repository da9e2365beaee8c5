// `--fine-tune <blocks>`: unfreezes the last conv blocks and trains backbone + head end to end on
// tfjs from the trained head, with the notebook's augmentation (which frozen features rule out).
// Slow on CPU: meant for GPU machines; small runs work anywhere.
import type * as TF from '@tensorflow/tfjs';
import { UserError } from '../kit/errors.ts';
import { seededRandom } from '../kit/rng.ts';
import type { LayerSpec, WeightSet } from '../engine/layers.ts';
import { buildTfjsModel, readTfjsWeights } from '../engine/tfjs.ts';
import type { Tfjs } from '../engine/tfjs.ts';
import { NOTEBOOK_AUGMENT, augmentFrame } from './augment.ts';
import type { TrainingHistory } from './callbacks.ts';
import { fitModel } from './fit-loop.ts';
import type { BatchSource, FitConfig } from './fit-loop.ts';
import { decodeMany } from './image-input.ts';

export interface FineTuneInput {
  backbone: LayerSpec[];
  head: LayerSpec[];
  /** Backbone and head weights together. */
  weights: WeightSet;
  height: number;
  width: number;
  blocks: number;
  train: { path: string; label: number }[];
  valid: { path: string; label: number }[];
  cfg: FitConfig;
}

/** Name of the first conv layer of the last `blocks` blocks (everything from it on trains). */
export function trainableFrom(backbone: LayerSpec[], blocks: number): string {
  const starts = backbone.filter((l) => /^block\d+_conv1$/.test(l.name)).map((l) => l.name);
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > starts.length) {
    throw new UserError(`--fine-tune ${blocks}: must be a whole number from 1 to ${starts.length} (conv blocks in this backbone)`);
  }
  return starts[starts.length - blocks];
}

/** Decoded frames held in memory (fine-tuning is for small sets here; GPUs take the big ones). */
async function imageSource(items: { path: string; label: number }[], w: number, h: number, seed: number): Promise<BatchSource> {
  const frames: Uint8Array[] = [];
  const labels: number[] = [];
  for (let s = 0; s < items.length; s += 32) {
    const part = items.slice(s, s + 32);
    const decoded = await decodeMany(
      part.map((i) => i.path),
      w,
      h,
    );
    decoded.forEach((d, j) => {
      if (d.ok) {
        frames.push(d.data);
        labels.push(part[j].label);
      }
    });
  }
  const rand = seededRandom(seed);
  const bytes = w * h * 3;
  return {
    size: frames.length,
    labels: Int32Array.from(labels),
    async inputs(tf, indices, train) {
      const x = new Int32Array(indices.length * bytes);
      indices.forEach((idx, k) => x.set(train ? augmentFrame(frames[idx], w, h, rand, NOTEBOOK_AUGMENT) : frames[idx], k * bytes));
      return tf.tensor4d(x, [indices.length, h, w, 3], 'int32');
    },
  };
}

/** Trains end to end; appends its epochs to `history` and returns all weights. */
export async function fineTune(tf: Tfjs, o: FineTuneInput, history: TrainingHistory, log: (line: string) => void): Promise<WeightSet> {
  const from = trainableFrom(o.backbone, o.blocks);
  const layers = [...o.backbone, ...o.head];
  log(`fine-tuning from ${from} on, ${o.train.length} images, augmentation: shift 0.05, zoom 0.1, horizontal flip`);
  const model: TF.LayersModel = buildTfjsModel(tf, layers, o.weights, { height: o.height, width: o.width }, { trainableFrom: from });
  try {
    const train = await imageSource(o.train, o.width, o.height, o.cfg.seed + 1);
    const valid = await imageSource(o.valid, o.width, o.height, o.cfg.seed + 2);
    await fitModel(tf, model, train, valid, o.cfg, history, 'fine-tune', log);
    return readTfjsWeights(model, layers);
  } finally {
    model.dispose();
  }
}
