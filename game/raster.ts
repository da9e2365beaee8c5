// A small scanline rasteriser into an rgb24 buffer. Every shape is reduced to horizontal spans,
// one row at a time, written with plain loops over typed arrays (no per-pixel callbacks), so a
// 640x480 frame renders in a few milliseconds on one core.
//
// Coordinates are floats in pixels; a pixel is covered when its centre (x+0.5, y+0.5) is inside.
// Colours are packed 0xRRGGBB numbers. An optional mask records what was drawn where: every
// write ORs `mark` into it (bit 1 = the character, 2 = effects, 4 = HUD), which is how a scene
// reports its bounding box and how much of the character an effect hides.

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const MAX_CROSSINGS = 64;

export class Raster {
  readonly data: Buffer;
  readonly mask: Uint8Array;
  /** Bits ORed into the mask by each write; 0 writes nothing. */
  mark = 0;
  /** Bounding box (pixels, exclusive max) of writes that carried mark bit 1. */
  readonly markBox: Box = { x0: 0, y0: 0, x1: 0, y1: 0 };
  private readonly xs = new Float64Array(MAX_CROSSINGS);

  constructor(
    readonly width: number,
    readonly height: number,
    data?: Buffer,
  ) {
    this.data = data ?? Buffer.alloc(width * height * 3);
    this.mask = new Uint8Array(width * height);
    this.resetMask();
  }

  resetMask(): void {
    this.mask.fill(0);
    this.mark = 0;
    const b = this.markBox;
    b.x0 = this.width;
    b.y0 = this.height;
    b.x1 = 0;
    b.y1 = 0;
  }

  /** Fill row y (integer) over pixel centres in [xl, xr). */
  span(y: number, xl: number, xr: number, color: number): void {
    if (y < 0 || y >= this.height) return;
    let x0 = Math.ceil(xl - 0.5);
    let x1 = Math.ceil(xr - 0.5);
    if (x0 < 0) x0 = 0;
    if (x1 > this.width) x1 = this.width;
    if (x1 <= x0) return;
    const d = this.data;
    const row = y * this.width;
    const start = (row + x0) * 3,
      end = (row + x1) * 3;
    d[start] = (color >> 16) & 255;
    d[start + 1] = (color >> 8) & 255;
    d[start + 2] = color & 255;
    // Long spans: double the filled run with native memmove instead of a byte loop.
    for (let filled = start + 3; filled < end; ) {
      const n = Math.min(filled - start, end - filled);
      d.copyWithin(filled, start, start + n);
      filled += n;
    }
    if (this.mark) this.markSpan(row, y, x0, x1);
  }

  /** Alpha-blend row y over [xl, xr); alpha in [0, 1]. */
  blendSpan(y: number, xl: number, xr: number, color: number, alpha: number): void {
    if (y < 0 || y >= this.height || alpha <= 0) return;
    let x0 = Math.ceil(xl - 0.5);
    let x1 = Math.ceil(xr - 0.5);
    if (x0 < 0) x0 = 0;
    if (x1 > this.width) x1 = this.width;
    if (x1 <= x0) return;
    const a = Math.min(256, Math.round(alpha * 256));
    const r = (color >> 16) & 255,
      g = (color >> 8) & 255,
      b = color & 255;
    const d = this.data;
    const row = y * this.width;
    for (let i = (row + x0) * 3, end = (row + x1) * 3; i < end; i += 3) {
      d[i] += ((r - d[i]) * a) >> 8;
      d[i + 1] += ((g - d[i + 1]) * a) >> 8;
      d[i + 2] += ((b - d[i + 2]) * a) >> 8;
    }
    // Only mostly-opaque blends count as hiding what is underneath.
    if (this.mark && alpha >= 0.5) this.markSpan(row, y, x0, x1);
  }

  private markSpan(row: number, y: number, x0: number, x1: number): void {
    const m = this.mask,
      bits = this.mark;
    for (let i = row + x0, end = row + x1; i < end; i++) m[i] |= bits;
    if (bits & 1) {
      const b = this.markBox;
      if (x0 < b.x0) b.x0 = x0;
      if (x1 > b.x1) b.x1 = x1;
      if (y < b.y0) b.y0 = y;
      if (y + 1 > b.y1) b.y1 = y + 1;
    }
  }

  fillRect(x: number, y: number, w: number, h: number, color: number): void {
    const [j0, j1] = this.rows(y, y + h);
    for (let j = j0; j < j1; j++) this.span(j, x, x + w, color);
  }

  blendRect(x: number, y: number, w: number, h: number, color: number, alpha: number): void {
    const [j0, j1] = this.rows(y, y + h);
    for (let j = j0; j < j1; j++) this.blendSpan(j, x, x + w, color, alpha);
  }

  /** Vertical gradient from `top` to `bottom` colour over rows [y, y+h). */
  gradientRect(x: number, y: number, w: number, h: number, top: number, bottom: number): void {
    const [j0, j1] = this.rows(y, y + h);
    for (let j = j0; j < j1; j++) this.span(j, x, x + w, lerpColor(top, bottom, (j + 0.5 - y) / h));
  }

  /** Even-odd fill of a polygon given as flat [x0, y0, x1, y1, ...]. */
  fillPolygon(pts: ArrayLike<number>, color: number, alpha = 1): void {
    const n = pts.length >> 1;
    if (n < 3) return;
    let ymin = Infinity,
      ymax = -Infinity;
    for (let i = 0; i < n; i++) {
      const y = pts[i * 2 + 1];
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
    const [j0, j1] = this.rows(ymin, ymax);
    const xs = this.xs;
    for (let j = j0; j < j1; j++) {
      const yc = j + 0.5;
      let count = 0;
      for (let i = 0, k = n - 1; i < n; k = i++) {
        const ya = pts[k * 2 + 1],
          yb = pts[i * 2 + 1];
        if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) {
          const xa = pts[k * 2],
            xb = pts[i * 2];
          const x = xa + ((yc - ya) * (xb - xa)) / (yb - ya);
          // insertion sort: a handful of crossings per row
          let p = count++;
          while (p > 0 && xs[p - 1] > x) {
            xs[p] = xs[p - 1];
            p--;
          }
          xs[p] = x;
          if (count >= MAX_CROSSINGS) break;
        }
      }
      for (let c = 0; c + 1 < count; c += 2) {
        if (alpha >= 1) this.span(j, xs[c], xs[c + 1], color);
        else this.blendSpan(j, xs[c], xs[c + 1], color, alpha);
      }
    }
  }

  /** Ellipse with radii rx, ry rotated by `angle` radians. */
  fillEllipse(cx: number, cy: number, rx: number, ry: number, angle: number, color: number, alpha = 1): void {
    if (rx <= 0 || ry <= 0) return;
    const c = Math.cos(angle),
      s = Math.sin(angle);
    const irx = 1 / (rx * rx),
      iry = 1 / (ry * ry);
    const A = c * c * irx + s * s * iry;
    const Bk = 2 * c * s * (irx - iry);
    const Ck = s * s * irx + c * c * iry;
    const half = Math.sqrt(rx * rx * s * s + ry * ry * c * c);
    const [j0, j1] = this.rows(cy - half, cy + half);
    for (let j = j0; j < j1; j++) {
      const dy = j + 0.5 - cy;
      const B = Bk * dy,
        C = Ck * dy * dy - 1;
      const disc = B * B - 4 * A * C;
      if (disc < 0) continue;
      const sq = Math.sqrt(disc);
      const xl = cx + (-B - sq) / (2 * A),
        xr = cx + (-B + sq) / (2 * A);
      if (alpha >= 1) this.span(j, xl, xr, color);
      else this.blendSpan(j, xl, xr, color, alpha);
    }
  }

  fillCircle(cx: number, cy: number, r: number, color: number, alpha = 1): void {
    this.fillEllipse(cx, cy, r, r, 0, color, alpha);
  }

  /**
   * A limb: the hull of a circle of radius r0 at (x0, y0) and one of r1 at (x1, y1). Each row's
   * span is the union of the two discs and the joining quad, which is one interval.
   */
  fillCapsule(x0: number, y0: number, x1: number, y1: number, r0: number, r1: number, color: number): void {
    const dx = x1 - x0,
      dy = y1 - y0;
    const len = Math.hypot(dx, dy) || 1e-6;
    const nx = -dy / len,
      ny = dx / len;
    const qx0 = x0 + nx * r0,
      qy0 = y0 + ny * r0,
      qx1 = x1 + nx * r1,
      qy1 = y1 + ny * r1;
    const qx2 = x1 - nx * r1,
      qy2 = y1 - ny * r1,
      qx3 = x0 - nx * r0,
      qy3 = y0 - ny * r0;
    const [j0, j1] = this.rows(Math.min(y0 - r0, y1 - r1), Math.max(y0 + r0, y1 + r1));
    for (let j = j0; j < j1; j++) {
      const yc = j + 0.5;
      let lo = Infinity,
        hi = -Infinity;
      let e = yc - y0;
      if (e * e < r0 * r0) {
        const h = Math.sqrt(r0 * r0 - e * e);
        lo = x0 - h;
        hi = x0 + h;
      }
      e = yc - y1;
      if (e * e < r1 * r1) {
        const h = Math.sqrt(r1 * r1 - e * e);
        if (x1 - h < lo) lo = x1 - h;
        if (x1 + h > hi) hi = x1 + h;
      }
      // quad edges 0-1, 1-2, 2-3, 3-0
      const q = quadRow(yc, qx0, qy0, qx1, qy1, qx2, qy2, qx3, qy3);
      if (q !== null) {
        if (q[0] < lo) lo = q[0];
        if (q[1] > hi) hi = q[1];
      }
      if (hi > lo) this.span(j, lo, hi, color);
    }
  }

  /** A soft round particle: concentric discs approximate a radial falloff with few spans per row. */
  blendSoftDisc(cx: number, cy: number, r: number, color: number, alpha: number): void {
    const rings = 3;
    // each ring adds p, so the centre reaches `alpha` and the rim stays faint
    const p = 1 - Math.pow(1 - Math.min(alpha, 0.99), 1 / rings);
    for (let k = 0; k < rings; k++) this.fillEllipse(cx, cy, r * (1 - k / rings), r * (1 - k / rings), 0, color, p);
  }

  /** Integer row range [j0, j1) whose centres lie in [y0, y1), clipped to the frame. */
  private rows(y0: number, y1: number): [number, number] {
    return [Math.max(0, Math.ceil(y0 - 0.5)), Math.min(this.height, Math.ceil(y1 - 0.5))];
  }
}

const quadOut: [number, number] = [0, 0];
const quadXs = new Float64Array(4);

function quadRow(yc: number, ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] | null {
  let n = 0;
  n = edgeCross(yc, ax, ay, bx, by, n);
  n = edgeCross(yc, bx, by, cx, cy, n);
  n = edgeCross(yc, cx, cy, dx, dy, n);
  n = edgeCross(yc, dx, dy, ax, ay, n);
  if (n < 2) return null;
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (quadXs[i] < lo) lo = quadXs[i];
    if (quadXs[i] > hi) hi = quadXs[i];
  }
  quadOut[0] = lo;
  quadOut[1] = hi;
  return quadOut;
}

function edgeCross(yc: number, xa: number, ya: number, xb: number, yb: number, n: number): number {
  if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) quadXs[n++] = xa + ((yc - ya) * (xb - xa)) / (yb - ya);
  return n;
}

export function lerpColor(a: number, b: number, t: number): number {
  const u = t < 0 ? 0 : Math.min(t, 1);
  const r = ((a >> 16) & 255) + (((b >> 16) & 255) - ((a >> 16) & 255)) * u;
  const g = ((a >> 8) & 255) + (((b >> 8) & 255) - ((a >> 8) & 255)) * u;
  const bl = (a & 255) + ((b & 255) - (a & 255)) * u;
  return (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(bl);
}

/** Scale a colour's brightness (shading): f < 1 darkens, f > 1 lightens. */
export function shade(c: number, f: number): number {
  const r = Math.min(255, Math.round(((c >> 16) & 255) * f));
  const g = Math.min(255, Math.round(((c >> 8) & 255) * f));
  const b = Math.min(255, Math.round((c & 255) * f));
  return (r << 16) | (g << 8) | b;
}
