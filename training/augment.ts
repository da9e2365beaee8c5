// Seeded augmentation on rgb24 frames, in JS before any engine sees them, so every backend trains
// on the same pixels for the same seed. Geometry as the notebook's ImageDataGenerator (width/height
// shift, zoom drawn separately for x and y, horizontal flip, constant fill 0, bilinear sampling);
// for training from scratch also colour jitter (brightness, contrast, saturation, hue) and
// occluding patches like the game's smoke and explosions, so the model learns the figure rather
// than a scene's colours or an unbroken outline.
import { mirroredFacing } from '../dataset/naming.ts';

export interface AugmentConfig {
  widthShift: number;
  heightShift: number;
  zoom: number;
  flip: boolean;
  /** Brightness factor drawn from [1 - b, 1 + b]. */
  brightness: number;
  /** Contrast factor drawn from [1 - c, 1 + c], around the frame's mean luminance. */
  contrast: number;
  /** Saturation factor drawn from [1 - s, 1 + s]. */
  saturation: number;
  /** Hue rotation drawn from [-h, h] turns (0.5 = half the colour wheel). */
  hue: number;
  /** Chance that a frame gets 1-3 occluding patches. */
  occlusion: number;
  /** A patch's largest side as a fraction of the frame's side. */
  occlusionSize: number;
}

const NONE = { brightness: 0, contrast: 0, saturation: 0, hue: 0, occlusion: 0, occlusionSize: 0 };

/** The notebook's fine-tuning augmentation: geometry only. */
export const NOTEBOOK_AUGMENT: AugmentConfig = { widthShift: 0.05, heightShift: 0.05, zoom: 0.1, flip: true, ...NONE };

/** From scratch: more geometry (random crops up to 15%), colour, and occluders. */
export const SCRATCH_AUGMENT: AugmentConfig = {
  widthShift: 0.1,
  heightShift: 0.1,
  zoom: 0.15,
  flip: true,
  brightness: 0.25,
  contrast: 0.25,
  saturation: 0.3,
  hue: 0.05,
  occlusion: 0.3,
  occlusionSize: 0.25,
};

export type AugmentPreset = 'notebook' | 'scratch' | 'off';
export const AUGMENT_PRESETS: readonly AugmentPreset[] = ['notebook', 'scratch', 'off'];

export function augmentPreset(name: AugmentPreset): AugmentConfig {
  if (name === 'notebook') return NOTEBOOK_AUGMENT;
  if (name === 'scratch') return SCRATCH_AUGMENT;
  return { widthShift: 0, heightShift: 0, zoom: 0, flip: false, ...NONE };
}

export interface Augmented {
  pixels: Uint8Array;
  /** Mirrored left-right: a `left`-facing frame now faces right. */
  mirrored: boolean;
}

/** The random shift, zoom and flip of one frame, drawn in a fixed order (the oracle test relies on it). */
export interface Geometry {
  tx: number;
  ty: number;
  zx: number;
  zy: number;
  mirrored: boolean;
}

export function drawGeometry(width: number, height: number, rand: () => number, a: AugmentConfig): Geometry {
  const u = (r: number): number => (rand() * 2 - 1) * r;
  const tx = u(a.heightShift) * height;
  const ty = u(a.widthShift) * width;
  const zx = 1 + u(a.zoom);
  const zy = 1 + u(a.zoom);
  return { tx, ty, zx, zy, mirrored: a.flip && rand() < 0.5 };
}

/** One random transform of an HWC rgb24 frame into a new buffer. */
export function augmentFrame(src: Uint8Array, width: number, height: number, rand: () => number, a: AugmentConfig): Augmented {
  const { tx, ty, zx, zy, mirrored } = drawGeometry(width, height, rand, a);
  const cr = (height - 1) / 2;
  const cc = (width - 1) / 2;
  const out = new Uint8Array(src.length);
  // Bilinear sampling with fill 0; x depends on the column only and y on the row only, so the
  // taps are computed once per column and row (the per-pixel closure took ~100 ms a frame).
  const xs0 = new Int32Array(width);
  const fxs = new Float64Array(width);
  for (let c = 0; c < width; c++) {
    const x = zy * (c - cc) + cc + ty;
    xs0[c] = Math.floor(x);
    fxs[c] = x - xs0[c]!;
  }
  const row = width * 3;
  for (let r = 0; r < height; r++) {
    const y = zx * (r - cr) + cr + tx;
    const y0 = Math.floor(y);
    const fy = y - y0;
    const top = y0 >= 0 && y0 < height;
    const bottom = y0 + 1 >= 0 && y0 + 1 < height;
    const t0 = y0 * row;
    const t1 = t0 + row;
    for (let c = 0; c < width; c++) {
      const x0 = xs0[c]!;
      const fx = fxs[c]!;
      const left = x0 >= 0 && x0 < width;
      const right = x0 + 1 >= 0 && x0 + 1 < width;
      const o = (r * width + (mirrored ? width - 1 - c : c)) * 3;
      const l = x0 * 3;
      for (let ch = 0; ch < 3; ch++) {
        const p00 = top && left ? src[t0 + l + ch]! : 0;
        const p01 = top && right ? src[t0 + l + 3 + ch]! : 0;
        const p10 = bottom && left ? src[t1 + l + ch]! : 0;
        const p11 = bottom && right ? src[t1 + l + 3 + ch]! : 0;
        out[o + ch] = Math.round((1 - fy) * ((1 - fx) * p00 + fx * p01) + fy * ((1 - fx) * p10 + fx * p11));
      }
    }
  }
  if (a.brightness || a.contrast || a.saturation || a.hue) jitterColour(out, rand, a);
  if (a.occlusion && rand() < a.occlusion) occlude(out, width, height, rand, a.occlusionSize);
  return { pixels: out, mirrored };
}

/**
 * Colour jitter as one affine map per frame: hue rotation and saturation in YIQ (luminance kept),
 * then contrast around the mean luminance and brightness; clamped to 0-255.
 */
function jitterColour(px: Uint8Array, rand: () => number, a: AugmentConfig): void {
  const u = (r: number): number => (rand() * 2 - 1) * r;
  const bright = 1 + u(a.brightness);
  const contrast = 1 + u(a.contrast);
  const sat = 1 + u(a.saturation);
  const angle = u(a.hue) * 2 * Math.PI;
  let lum = 0;
  for (let i = 0; i < px.length; i += 3) lum += 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
  lum /= px.length / 3;
  // RGB → YIQ, scale+rotate the chroma plane, → RGB.
  const cos = Math.cos(angle) * sat;
  const sin = Math.sin(angle) * sat;
  const toY = [0.299, 0.587, 0.114];
  const toI = [0.596, -0.274, -0.322];
  const toQ = [0.211, -0.523, 0.312];
  const back = [
    [1, 0.956, 0.621],
    [1, -0.272, -0.647],
    [1, -1.106, 1.703],
  ];
  const m: number[] = [];
  for (let o = 0; o < 3; o++) {
    for (let i = 0; i < 3; i++) {
      const iRot = cos * toI[i]! - sin * toQ[i]!;
      const qRot = sin * toI[i]! + cos * toQ[i]!;
      m.push(back[o]![0]! * toY[i]! + back[o]![1]! * iRot + back[o]![2]! * qRot);
    }
  }
  const gain = bright * contrast;
  const offset = bright * (1 - contrast) * lum;
  for (let i = 0; i < px.length; i += 3) {
    const r = px[i]!;
    const g = px[i + 1]!;
    const b = px[i + 2]!;
    for (let o = 0; o < 3; o++) {
      const v = gain * (m[o * 3]! * r + m[o * 3 + 1]! * g + m[o * 3 + 2]! * b) + offset;
      px[i + o] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
}

/** 1-3 rectangles of flat colour or noise, up to `size` of the frame's sides (smoke, sparks, a hand). */
function occlude(px: Uint8Array, width: number, height: number, rand: () => number, size: number): void {
  const patches = 1 + Math.floor(rand() * 3);
  for (let n = 0; n < patches; n++) {
    const w = Math.max(1, Math.round(width * size * (0.3 + 0.7 * rand())));
    const h = Math.max(1, Math.round(height * size * (0.3 + 0.7 * rand())));
    const x0 = Math.floor(rand() * (width - w + 1));
    const y0 = Math.floor(rand() * (height - h + 1));
    const noise = rand() < 0.5;
    const colour = [rand() * 255, rand() * 255, rand() * 255];
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const i = (y * width + x) * 3;
        for (let ch = 0; ch < 3; ch++) px[i + ch] = Math.round(noise ? rand() * 255 : colour[ch]!);
      }
    }
  }
}

/**
 * Each class's mirror image class: a label with a `left`/`right` token maps to the label with the
 * token swapped, where that class exists; any other label is its own mirror.
 */
export function mirrorClasses(classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(classes, (c, i) => index.get(c.split('_').map(mirroredFacing).join('_')) ?? i);
}
