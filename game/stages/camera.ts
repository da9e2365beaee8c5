// World → screen mapping. World units: the main platform's top is y = 0, x = 0 its centre,
// y grows downwards; characters are ~100 units tall.
export interface Camera {
  cx: number;
  cy: number;
  zoom: number;
  width: number;
  height: number;
}

export const sx = (c: Camera, x: number): number => (x - c.cx) * c.zoom + c.width / 2;
export const sy = (c: Camera, y: number): number => (y - c.cy) * c.zoom + c.height / 2;

/** Screen mapping for a background layer that scrolls `depth` times as fast as the stage. */
export function parallax(c: Camera, depth: number): Camera {
  return { ...c, cx: c.cx * depth, cy: c.cy * depth, zoom: c.zoom * (0.6 + 0.4 * depth) };
}

/** Flat world-space polygon → flat screen-space polygon. */
export function toScreen(c: Camera, pts: readonly number[]): number[] {
  const out = new Array<number>(pts.length);
  for (let i = 0; i < pts.length; i += 2) {
    out[i] = sx(c, pts[i]);
    out[i + 1] = sy(c, pts[i + 1]);
  }
  return out;
}

/** A surface a character can stand on: x range and top y in world units. */
export interface Surface {
  x0: number;
  x1: number;
  y: number;
}
