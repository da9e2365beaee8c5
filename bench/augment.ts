// `npm run bench:augment`: the from-scratch augmentation runs in JS for every training frame of
// every epoch, so it must not dominate an epoch. This times it against the plain per-pixel
// bilinear sampler it replaced (which test/augment-geometry.test.ts also uses as its pixel oracle),
// both in one run on the same machine: the ratio is the figure, not the absolute times.
import { describeCpu } from '../kit/cpu.ts';
import { seededRandom } from '../kit/rng.ts';
import { type AugmentConfig, augmentFrame, drawGeometry, SCRATCH_AUGMENT } from '../training/augment.ts';

/** The straightforward sampler (fill 0, bilinear), drawing the random numbers in the same order. */
export function referenceAugment(
  src: Uint8Array,
  width: number,
  height: number,
  rand: () => number,
  a: AugmentConfig,
): { pixels: Uint8Array; mirrored: boolean } {
  const { tx, ty, zx, zy, mirrored } = drawGeometry(width, height, rand, a);
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

/** Random pixels, reproducible from the seed. */
export function randomFrame(w: number, h: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  return Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rand() * 256));
}

function msPerFrame(f: typeof augmentFrame, src: Uint8Array, w: number, h: number, frames: number): number {
  const geometry = { ...SCRATCH_AUGMENT, brightness: 0, contrast: 0, saturation: 0, hue: 0, occlusion: 0 };
  const rand = seededRandom(5);
  f(src, w, h, rand, geometry); // warm the JIT
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) f(src, w, h, rand, geometry);
  return (performance.now() - t0) / frames;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`cpu: ${describeCpu()}\n`);
  for (const [w, h] of [
    [128, 96],
    [160, 120],
    [224, 224],
  ] as const) {
    const src = randomFrame(w, h, 3);
    const fast = msPerFrame(augmentFrame, src, w, h, 60);
    const slow = msPerFrame(referenceAugment, src, w, h, 20);
    process.stdout.write(
      `${w}x${h}: augmentFrame ${fast.toFixed(2)} ms/frame, per-pixel sampler ${slow.toFixed(2)} ms/frame: ${(slow / fast).toFixed(1)}x faster\n`,
    );
  }
}
