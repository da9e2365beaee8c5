// Stage recolouring for training variety (`synth --recolor on`): each frame's stage (sky, scenery,
// platforms) is repainted through a random colour map before the character and effects are drawn,
// so a model trained on three stages meets backgrounds of every hue and cannot lean on a stage's
// palette; the figure keeps its own colours, which is what it must learn.
import type { Rng } from '../kit/rng.ts';
import type { Raster } from './raster.ts';

/** out[o] = sum_i matrix[3*o+i] * in[i] + offset[o], clamped to 0-255. */
export interface Backdrop {
  matrix: number[];
  offset: number[];
}

/** A channel permutation with per-channel gains, each channel sometimes inverted. */
export function randomBackdrop(rng: Rng): Backdrop {
  const order = [0, 1, 2];
  for (let i = 2; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const matrix = new Array<number>(9).fill(0);
  const offset = [0, 0, 0];
  for (let o = 0; o < 3; o++) {
    const gain = rng.range(0.55, 1.15);
    const invert = rng.chance(0.3);
    matrix[3 * o + order[o]!] = invert ? -gain : gain;
    offset[o] = (invert ? 255 * gain : 0) + rng.range(-30, 30);
  }
  return { matrix, offset };
}

/** Applies the colour map to every pixel of the raster. */
export function recolor(r: Raster, b: Backdrop): void {
  const d = r.data;
  const m = b.matrix,
    k = b.offset;
  for (let p = 0; p < d.length; p += 3) {
    const x = d[p]!,
      y = d[p + 1]!,
      z = d[p + 2]!;
    for (let o = 0; o < 3; o++) {
      const v = m[3 * o]! * x + m[3 * o + 1]! * y + m[3 * o + 2]! * z + k[o]!;
      d[p + o] = Math.max(0, Math.min(255, v));
    }
  }
}
