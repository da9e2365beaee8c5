// Figure pasting (`train --paste <share>`): a training frame's figure, cut out by its mask, is set
// onto a background it was never seen on, so the model cannot lean on a stage's look: half the
// time another training frame with its own figure painted out, half the time a random field of
// colour blends and bands. Runs on rgb24 frames before augmentFrame, drawing from the same seeded
// stream, so every engine trains on the same pixels.
import sharp from 'sharp';
import { maskPathFor } from '../dataset/naming.ts';
import { SHARP_MODEL_RESIZE } from '../kit/resize.ts';

/** A mask pixel at or above this (after the model-size resize) belongs to the figure. */
const FIGURE = 128;

/**
 * The figure mask of each frame at the model's size (the same resize as the frame), or null where
 * the frame has none (`masks/<class>/<frame>.png` beside `images/`, as `synth --masks` writes).
 */
export async function readMasks(paths: readonly string[], width: number, height: number): Promise<(Uint8Array | null)[]> {
  const out: (Uint8Array | null)[] = [];
  for (let s = 0; s < paths.length; s += 32) {
    const part = await Promise.all(
      paths.slice(s, s + 32).map(async (p) => {
        try {
          const { data } = await sharp(maskPathFor(p))
            .removeAlpha()
            .toColourspace('b-w')
            .resize(width, height, SHARP_MODEL_RESIZE)
            .raw()
            .toBuffer({ resolveWithObject: true });
          return data.length === width * height ? new Uint8Array(data) : null;
        } catch {
          return null; // no mask (or not an image): this frame is never pasted
        }
      }),
    );
    out.push(...part);
  }
  return out;
}

/** The figure of `frame` (where `mask` is set) over `background`, into a new buffer. */
export function pasteFigure(frame: Uint8Array, mask: Uint8Array, background: Uint8Array): Uint8Array {
  const out = new Uint8Array(background);
  for (let p = 0; p < mask.length; p++) {
    if (mask[p]! < FIGURE) continue;
    out[p * 3] = frame[p * 3]!;
    out[p * 3 + 1] = frame[p * 3 + 1]!;
    out[p * 3 + 2] = frame[p * 3 + 2]!;
  }
  return out;
}

/**
 * A copy of `frame` with its figure painted out: each figure pixel takes the colour of the nearest
 * background pixel in its row (figures are narrow), or in its column where the row has none.
 */
export function withoutFigure(frame: Uint8Array, mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(frame);
  const isFigure = (x: number, y: number): boolean => mask[y * width + x]! >= FIGURE;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!isFigure(x, y)) continue;
      let from = -1;
      for (let d = 1; d < width && from < 0; d++) {
        if (x - d >= 0 && !isFigure(x - d, y)) from = y * width + x - d;
        else if (x + d < width && !isFigure(x + d, y)) from = y * width + x + d;
      }
      for (let d = 1; d < height && from < 0; d++) {
        if (y - d >= 0 && !isFigure(x, y - d)) from = (y - d) * width + x;
        else if (y + d < height && !isFigure(x, y + d)) from = (y + d) * width + x;
      }
      if (from < 0) continue; // the whole frame is figure: nothing to take
      const o = (y * width + x) * 3;
      out[o] = frame[from * 3]!;
      out[o + 1] = frame[from * 3 + 1]!;
      out[o + 2] = frame[from * 3 + 2]!;
    }
  }
  return out;
}

/** A background no stage has: a bilinear blend of a 3-6 x 3-6 grid of random colours, then 0-5 flat bands. */
export function randomField(width: number, height: number, rand: () => number): Uint8Array {
  const gw = 3 + Math.floor(rand() * 4);
  const gh = 3 + Math.floor(rand() * 4);
  const grid = Float64Array.from({ length: gw * gh * 3 }, () => rand() * 255);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(gh - 1.000001, Math.max(0, ((y + 0.5) / height) * gh - 0.5));
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(gw - 1.000001, Math.max(0, ((x + 0.5) / width) * gw - 0.5));
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (i: number, j: number): number => grid[(j * gw + i) * 3 + c]!;
        const v = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
        out[(y * width + x) * 3 + c] = Math.round(v);
      }
    }
  }
  const bands = Math.floor(rand() * 6);
  for (let b = 0; b < bands; b++) {
    const w = 4 + Math.floor(rand() * (width - 4));
    const h = 2 + Math.floor(rand() * Math.max(1, height / 2 - 2));
    const bx = Math.floor(rand() * (width - w + 1));
    const by = Math.floor(rand() * (height - h + 1));
    const colour = [rand() * 255, rand() * 255, rand() * 255].map(Math.round);
    for (let y = by; y < by + h; y++) for (let x = bx; x < bx + w; x++) out.set(colour, (y * width + x) * 3);
  }
  return out;
}

/**
 * Frame `idx` with its figure on a new background, or the frame itself when it has no mask.
 * `others` lists the frames (with masks) whose painted-out backgrounds may be used.
 */
export function pastedFrame(
  frames: readonly Uint8Array[],
  masks: readonly (Uint8Array | null)[],
  others: readonly number[],
  idx: number,
  width: number,
  height: number,
  rand: () => number,
): Uint8Array {
  const mask = masks[idx];
  if (!mask) return frames[idx]!;
  const j = others.length > 1 && rand() < 0.5 ? others[Math.floor(rand() * others.length)]! : -1;
  const background = j >= 0 && j !== idx ? withoutFigure(frames[j]!, masks[j]!, width, height) : randomField(width, height, rand);
  return pasteFigure(frames[idx]!, mask, background);
}
