// Body parts shared by the figures: limbs as tapered capsules, torsos, feet, and a way to draw a
// polygon in a rotated part frame (heads, ears, beaks).
import type { Pen } from './pen.ts';
import type { Joints, P } from './skeleton.ts';

export function limb(pen: Pen, a: P, b: P, c: P, r0: number, r1: number, r2: number, upper: number, lower: number): void {
  pen.capsule(a.x, a.y, b.x, b.y, r0, r1, upper);
  pen.capsule(b.x, b.y, c.x, c.y, r1, r2, lower);
}

export function foot(pen: Pen, f: P, length: number, height: number, color: number): void {
  pen.ellipse(f.x + length * 0.3, f.y - height * 0.5, length * 0.55, height, 0, color);
}

export function torso(pen: Pen, j: Joints, hipR: number, chestR: number, color: number): void {
  pen.capsule(j.hip.x, j.hip.y, j.chest.x, j.chest.y, hipR, chestR, color);
}

/** The head's rotation in the local frame (0 = upright, facing forward; + nods forward). */
export function headAngle(j: Joints, tilt: number): number {
  return Math.PI - j.torsoAngle + tilt;
}

/** A point at distance `len` from p along local angle `a` (0 = down, π/2 = forward). */
export function along(p: P, a: number, len: number): P {
  return { x: p.x + Math.sin(a) * len, y: p.y + Math.cos(a) * len };
}

/** A point offset (dx, dy) from p in a frame rotated by `angle`. */
export function offset(p: P, angle: number, dx: number, dy: number): P {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  return { x: p.x + c * dx - s * dy, y: p.y + s * dx + c * dy };
}

/** A chain of capsules hanging from `start`, curling by `sway` per link (hair, tails, scarves). */
export function chain(pen: Pen, start: P, angle: number, links: number, len: number, r0: number, r1: number, sway: number, color: number): P {
  let p = start,
    a = angle;
  for (let i = 0; i < links; i++) {
    const q = along(p, a, len);
    const t0 = i / links,
      t1 = (i + 1) / links;
    pen.capsule(p.x, p.y, q.x, q.y, r0 + (r1 - r0) * t0, r0 + (r1 - r0) * t1, color);
    p = q;
    a += sway;
  }
  return p;
}
