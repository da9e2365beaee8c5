// Region geometry for the operator's drag editor, in source pixel coordinates.
import type { Rect, RegionSpec, RegionView } from '../../../server/protocol.ts';

export interface Point {
  x: number;
  y: number;
}

/** Smallest region worth posting (a click without a drag must not create one). */
export const MIN_SIDE = 4;

/** The rectangle spanned by two drag corners, clamped to the frame, integer pixels. */
export function rectFromDrag(a: Point, b: Point, width: number, height: number): Rect {
  const x0 = clamp(Math.round(Math.min(a.x, b.x)), 0, width);
  const y0 = clamp(Math.round(Math.min(a.y, b.y)), 0, height);
  const x1 = clamp(Math.round(Math.max(a.x, b.x)), 0, width);
  const y1 = clamp(Math.round(Math.max(a.y, b.y)), 0, height);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** `rect` moved by (dx, dy), kept wholly inside the frame. */
export function moveRect(rect: Rect, dx: number, dy: number, width: number, height: number): Rect {
  return {
    x: clamp(Math.round(rect.x + dx), 0, Math.max(0, width - rect.w)),
    y: clamp(Math.round(rect.y + dy), 0, Math.max(0, height - rect.h)),
    w: rect.w,
    h: rect.h,
  };
}

/** p1, p2, … : the first port-style name not taken. */
export function nextRegionName(taken: string[]): string {
  for (let i = 1; ; i++) if (!taken.includes(`p${i}`)) return `p${i}`;
}

/** The drawn regions as the API wants them (the whole-frame pseudo-region has no rect). */
export function regionSpecs(views: RegionView[]): RegionSpec[] {
  return views.flatMap((v) => (v.rect ? [{ name: v.name, ...v.rect }] : []));
}

/** `list` with `region` replacing the one of the same name in place, or appended. */
export function upsertRegion(list: RegionSpec[], region: RegionSpec): RegionSpec[] {
  return list.some((r) => r.name === region.name) ? list.map((r) => (r.name === region.name ? region : r)) : [...list, region];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
