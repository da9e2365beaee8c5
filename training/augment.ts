// The notebook's ImageDataGenerator augmentation for fine-tuning, on rgb24 frames: width/height
// shift 0.05, zoom 0.1 (x and y drawn separately, like Keras), horizontal flip, constant fill 0,
// bilinear sampling (Keras' order=1).

export interface AugmentConfig {
  widthShift: number;
  heightShift: number;
  zoom: number;
  flip: boolean;
}

export const NOTEBOOK_AUGMENT: AugmentConfig = { widthShift: 0.05, heightShift: 0.05, zoom: 0.1, flip: true };

/** One random transform of an HWC rgb24 frame into a new buffer. */
export function augmentFrame(src: Uint8Array, width: number, height: number, rand: () => number, a: AugmentConfig): Uint8Array {
  const u = (r: number): number => (rand() * 2 - 1) * r;
  const tx = u(a.heightShift) * height;
  const ty = u(a.widthShift) * width;
  const zx = 1 + u(a.zoom);
  const zy = 1 + u(a.zoom);
  const flip = a.flip && rand() < 0.5;
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
      const oc = flip ? width - 1 - c : c;
      for (let ch = 0; ch < 3; ch++) {
        const p = (yy: number, xx: number): number => (yy < 0 || yy >= height || xx < 0 || xx >= width ? 0 : src[(yy * width + xx) * 3 + ch]);
        const v = (1 - fy) * ((1 - fx) * p(y0, x0) + fx * p(y0, x0 + 1)) + fy * ((1 - fx) * p(y0 + 1, x0) + fx * p(y0 + 1, x0 + 1));
        out[(r * width + oc) * 3 + ch] = Math.round(v);
      }
    }
  }
  return out;
}
