// End-to-end training on images in tfjs, with seeded augmentation (which frozen features rule out):
// `--fine-tune <blocks>` unfreezes the last conv blocks after the head has trained on features;
// `--from-scratch` trains every layer from random weights (bn5 is made for it). Frames are decoded
// once and held in memory: CPU runs here are small, GPUs take the big ones.
import type * as TF from '@tensorflow/tfjs';
import type { LayerSpec, WeightSet } from '../engine/layers.ts';
import type { Tfjs } from '../engine/tfjs.ts';
import { buildTfjsModel, readTfjsWeights } from '../engine/tfjs.ts';
import { UserError } from '../kit/errors.ts';
import { seededRandom } from '../kit/rng.ts';
import type { AugmentConfig } from './augment.ts';
import { augmentFrame } from './augment.ts';
import type { TrainingHistory } from './callbacks.ts';
import type { BatchSource, FitConfig } from './fit-loop.ts';
import { fitModel } from './fit-loop.ts';
import { decodeMany } from './image-input.ts';
import { pastedFrame, readMasks } from './paste.ts';
import { maskPathFor } from '../dataset/naming.ts';

export interface EndToEndInput {
  layers: LayerSpec[];
  /** Weights for every layer (trained head + backbone, or random for from scratch). */
  weights: WeightSet;
  height: number;
  width: number;
  /** First layer that trains; undefined: all of them. */
  trainableFrom?: string;
  train: { path: string; label: number }[];
  valid: { path: string; label: number }[];
  /** Class index of each class's mirror image (mirrorClasses), applied when a frame is flipped. */
  mirror: Int32Array;
  augment: AugmentConfig;
  /** Share of training frames whose figure is pasted onto another background (0: none). */
  paste: number;
  cfg: FitConfig;
  stage: 'fine-tune' | 'scratch';
}

/** Name of the first conv layer of the last `blocks` blocks (everything from it on trains). */
export function trainableFrom(backbone: LayerSpec[], blocks: number): string {
  const starts = backbone.filter((l) => /^block\d+_conv1$/.test(l.name)).map((l) => l.name);
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > starts.length) {
    throw new UserError(`--fine-tune ${blocks}: must be a whole number from 1 to ${starts.length} (conv blocks in this backbone)`);
  }
  return starts[starts.length - blocks]!;
}

/** Decoded frames held in memory, augmented per batch when training. */
async function imageSource(
  items: { path: string; label: number }[],
  w: number,
  h: number,
  seed: number,
  augment: AugmentConfig,
  mirror: Int32Array,
  paste = 0,
  log: (line: string) => void = () => undefined,
): Promise<BatchSource> {
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
        labels.push(part[j]!.label);
      }
    });
  }
  const masks = paste > 0 ? await pasteMasks(items, frames.length, w, h, log) : [];
  const pasteable = masks.flatMap((m, i) => (m ? [i] : []));
  const rand = seededRandom(seed);
  const bytes = w * h * 3;
  const truth = Int32Array.from(labels);
  return {
    size: frames.length,
    labels: truth,
    async inputs(tf, indices, train) {
      const x = new Int32Array(indices.length * bytes);
      const y = new Int32Array(indices.length);
      indices.forEach((idx, k) => {
        if (!train) {
          x.set(frames[idx]!, k * bytes);
          y[k] = truth[idx]!;
          return;
        }
        const frame = paste > 0 && masks[idx] && rand() < paste ? pastedFrame(frames, masks, pasteable, idx, w, h, rand) : frames[idx]!;
        const a = augmentFrame(frame, w, h, rand, augment);
        x.set(a.pixels, k * bytes);
        y[k] = a.mirrored ? mirror[truth[idx]!]! : truth[idx]!;
      });
      return { x: tf.tensor4d(x, [indices.length, h, w, 3], 'int32'), labels: y };
    },
  };
}

/** The training frames' masks for --paste; refuses when none of them has one. */
async function pasteMasks(items: { path: string }[], decoded: number, w: number, h: number, log: (line: string) => void): Promise<(Uint8Array | null)[]> {
  if (decoded !== items.length) throw new UserError('--paste: some training frames did not decode; fix or remove them first');
  const masks = await readMasks(
    items.map((i) => i.path),
    w,
    h,
  );
  const found = masks.filter(Boolean).length;
  if (found === 0) {
    throw new UserError(
      `--paste: no figure masks for the training frames (expected e.g. ${maskPathFor(items[0]!.path)}: synth --masks writes them, split carries them)`,
    );
  }
  log(`--paste: ${found} of ${items.length} training frames have a figure mask${found < items.length ? ' (the others are never pasted)' : ''}`);
  return masks;
}

/** Trains end to end; appends its epochs to `history` and returns every layer's weights. */
export async function trainEndToEnd(tf: Tfjs, o: EndToEndInput, history: TrainingHistory, log: (line: string) => void): Promise<WeightSet> {
  const what = o.trainableFrom ? `fine-tuning from ${o.trainableFrom} on` : 'training every layer from random weights';
  log(`${what}, ${o.train.length} images, augmentation: ${describeAugment(o.augment, o.paste)}`);
  const model: TF.LayersModel = buildTfjsModel(
    tf,
    o.layers,
    o.weights,
    { height: o.height, width: o.width },
    { trainableFrom: o.trainableFrom, batchNorm: true },
  );
  try {
    const train = await imageSource(o.train, o.width, o.height, o.cfg.seed + 1, o.augment, o.mirror, o.paste, log);
    const valid = await imageSource(o.valid, o.width, o.height, o.cfg.seed + 2, o.augment, o.mirror);
    await fitModel(tf, model, train, valid, o.cfg, history, o.stage, log);
    return readTfjsWeights(model, o.layers);
  } finally {
    model.dispose();
  }
}

function describeAugment(a: AugmentConfig, paste: number): string {
  const parts = [`shift ${a.widthShift}`, `zoom ${a.zoom}`];
  if (a.flip) parts.push('horizontal flip');
  if (a.brightness || a.contrast || a.saturation || a.hue) parts.push(`colour ±${a.brightness}/${a.contrast}/${a.saturation}/${a.hue}`);
  if (a.occlusion) parts.push(`occluders ${Math.round(a.occlusion * 100)}%`);
  if (paste) parts.push(`figure pasted on ${Math.round(paste * 100)}%`);
  return parts.join(', ');
}
