// The from-scratch augmentation must give the same pixels as the plain per-pixel bilinear sampler
// it replaced; how much faster it is lives in `npm run bench:augment` (bench/augment.ts).
import { describe, expect, it } from 'vitest';
import { randomFrame, referenceAugment } from '../bench/augment.ts';
import { seededRandom } from '../kit/rng.ts';
import { augmentFrame, NOTEBOOK_AUGMENT } from '../training/augment.ts';

describe('augmentation geometry', () => {
  const strong = { ...NOTEBOOK_AUGMENT, widthShift: 0.3, heightShift: 0.3, zoom: 0.4 }; // samples well past the edges
  for (const [w, h] of [
    [160, 120],
    [37, 23],
  ] as const) {
    it(`gives the per-pixel sampler's pixels at ${w}x${h}`, () => {
      const src = randomFrame(w, h, w);
      for (let seed = 1; seed <= 12; seed++) {
        const got = augmentFrame(src, w, h, seededRandom(seed), strong);
        const want = referenceAugment(src, w, h, seededRandom(seed), strong);
        expect(got.mirrored).toBe(want.mirrored);
        expect(Buffer.from(got.pixels).equals(Buffer.from(want.pixels)), `seed ${seed}`).toBe(true);
      }
    });
  }
});
