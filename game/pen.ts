// Draws shapes given in a figure's local frame (x forward, y down, units of the figure) onto a
// raster: scale, whole-body spin, and a facing flip. Mirroring happens here, once, so a figure
// facing left is exactly the mirror image of the same figure facing right.
import type { Raster } from './raster.ts';

export class Pen {
  ox = 0;
  oy = 0;
  scale = 1;
  facing = 1;
  private cos = 1;
  private sin = 0;
  private spin = 0;
  /** Local y the spin turns around (a tumbling figure turns about its middle, not its feet). */
  private pivotY = 0;
  /** Result of the last `map` call. */
  px = 0;
  py = 0;
  private buf = new Float64Array(64);

  constructor(readonly raster: Raster) {}

  place(ox: number, oy: number, scale: number, facing: number, spin = 0, pivotY = 0): void {
    this.ox = ox;
    this.oy = oy;
    this.scale = scale;
    this.facing = facing;
    this.pivotY = pivotY;
    this.spin = spin;
    this.cos = Math.cos(spin);
    this.sin = Math.sin(spin);
  }

  map(x: number, y: number): void {
    const yl = y - this.pivotY;
    const xr = this.cos * x - this.sin * yl;
    const yr = this.sin * x + this.cos * yl + this.pivotY;
    this.px = this.ox + this.facing * this.scale * xr;
    this.py = this.oy + this.scale * yr;
  }

  capsule(x0: number, y0: number, x1: number, y1: number, r0: number, r1: number, color: number): void {
    this.map(x0, y0);
    const ax = this.px,
      ay = this.py;
    this.map(x1, y1);
    this.raster.fillCapsule(ax, ay, this.px, this.py, r0 * this.scale, r1 * this.scale, color);
  }

  ellipse(cx: number, cy: number, rx: number, ry: number, angle: number, color: number, alpha = 1): void {
    this.map(cx, cy);
    const a = this.facing * (angle + this.spin);
    this.raster.fillEllipse(this.px, this.py, rx * this.scale, ry * this.scale, a, color, alpha);
  }

  circle(cx: number, cy: number, r: number, color: number): void {
    this.ellipse(cx, cy, r, r, 0, color);
  }

  /** Polygon from flat local points [x0, y0, x1, y1, ...]. */
  poly(pts: readonly number[], color: number, alpha = 1): void {
    const n = pts.length;
    if (this.buf.length < n) this.buf = new Float64Array(n);
    const out = this.buf.subarray(0, n);
    for (let i = 0; i < n; i += 2) {
      this.map(pts[i], pts[i + 1]);
      out[i] = this.px;
      out[i + 1] = this.py;
    }
    this.raster.fillPolygon(out, color, alpha);
  }

  /** Polygon from points relative to (bx, by), rotated by `angle` in the local frame. */
  polyAt(bx: number, by: number, angle: number, pts: readonly number[], color: number): void {
    const c = Math.cos(angle),
      s = Math.sin(angle);
    const tmp: number[] = new Array(pts.length);
    for (let i = 0; i < pts.length; i += 2) {
      tmp[i] = bx + c * pts[i] - s * pts[i + 1];
      tmp[i + 1] = by + s * pts[i] + c * pts[i + 1];
    }
    this.poly(tmp, color);
  }
}
