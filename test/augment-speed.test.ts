// The from-scratch augmentation runs in JS for every training frame of every epoch: it must give
// the same pixels as the plain per-pixel bilinear sampler it replaced, and be fast enough not to
// dominate an epoch (the per-pixel closure version took ~100 ms per 128x96 frame on 2 shared
// cores: ~2 minutes per epoch of 1224 frames, as long as the network's own steps).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../kit/rng.ts';
import { augmentFrame, NOTEBOOK_AUGMENT, SCRATCH_AUGMENT, type AugmentConfig } from '../training/augment.ts';

/** The straightforward sampler (fill 0, bilinear), drawing the random numbers in the same order. */
function reference(src: Uint8Array, width: number, height: number, rand: () => number, a: AugmentConfig): { pixels: Uint8Array; mirrored: boolean } {
  const u = (r: number): number => (rand() * 2 - 1) * r;
  const tx = u(a.heightShift) * height;
  const ty = u(a.widthShift) * width;
  const zx = 1 + u(a.zoom);
  const zy = 1 + u(a.zoom);
  const mirrored = a.flip && rand() < 0.5;
  const cr = (height - 1) / 2;
  const cc = (width - 1) / 2;
  const out = new Uint8Array(src.length);
  for (let r = 0; r < height; r++) {
    const y = zx * (r - cr) + cr + tx;
    const y0 = Math.floor(y);
    const fy = y - y0;
    for (let c = 0; c < width; c++) {
      const x = zy * (c - cc) + cc + ty;
      const x0 = Math.floor(x);
      const fx = x - x0;
      const oc = mirrored ? width - 1 - c : c;
      for (let ch = 0; ch < 3; ch++) {
        const p = (yy: number, xx: number): number => (yy < 0 || yy >= height || xx < 0 || xx >= width ? 0 : src[(yy * width + xx) * 3 + ch]!);
        const v = (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x0 + 1)) + fy * ((1 - fx) * p(y0 + 1, x0) + fx * p(y0 + 1, x0 + 1));
        out[(r * width + oc) * 3 + ch] = Math.round(v);
      }
    }
  }
  return { pixels: out, mirrored };
}

function frame(w: number, h: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  return Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rand() * 256));
}

describe('augmentation geometry', () => {
  const strong = { ...NOTEBOOK_AUGMENT, widthShift: 0.3, heightShift: 0.3, zoom: 0.4 }; // samples well past the edges
  for (const [w, h] of [
    [160, 120],
    [37, 23],
  ] as const) {
    it(`gives the per-pixel sampler's pixels at ${w}x${h}`, () => {
      const src = frame(w, h, w);
      for (let seed = 1; seed <= 12; seed++) {
        const got = augmentFrame(src, w, h, seededRandom(seed), strong);
        const want = reference(src, w, h, seededRandom(seed), strong);
        expect(got.mirrored).toBe(want.mirrored);
        expect(Buffer.from(got.pixels).equals(Buffer.from(want.pixels)), `seed ${seed}`).toBe(true);
      }
    });
  }

  it('is faster than the per-pixel sampler it replaced', () => {
    const src = frame(160, 120, 3);
    const geometry = { ...SCRATCH_AUGMENT, brightness: 0, contrast: 0, saturation: 0, hue: 0, occlusion: 0 };
    const time = (f: typeof augmentFrame): number => {
      const rand = seededRandom(5);
      f(src, 160, 120, rand, geometry);
      const t0 = performance.now();
      for (let i = 0; i < 40; i++) f(src, 160, 120, rand, geometry);
      return performance.now() - t0;
    };
    // measured 3-13x faster (tsx: 10 against 136 ms per 128x96 frame, 2 cores shared with other runs)
    expect(time(augmentFrame) * 1.5).toBeLessThan(time(reference));
  });
});
