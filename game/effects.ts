// Smoke puffs, explosions and hit sparks: alpha-blended particles that can hide part of a
// character. Particle layout is a pure function of the effect's seed and age.
import type { Raster } from './raster.ts';
import { mix32 } from '../kit/rng.ts';

export const EFFECT_KINDS = ['smoke', 'explosion', 'spark'] as const;
export type EffectKind = (typeof EFFECT_KINDS)[number];

export interface Effect {
  kind: EffectKind;
  /** Screen centre and radius in pixels. */
  x: number;
  y: number;
  size: number;
  /** 0 = just started, 1 = about to vanish. */
  age: number;
  seed: number;
}

const unit = (h: number, shift: number): number => ((h >>> shift) & 0xff) / 255;

export function drawEffect(r: Raster, e: Effect): void {
  if (e.kind === 'smoke') smoke(r, e);
  else if (e.kind === 'explosion') explosion(r, e);
  else spark(r, e);
}

function smoke(r: Raster, e: Effect): void {
  const grow = 0.6 + 0.6 * e.age;
  const fade = 1 - e.age * 0.7;
  for (let i = 0; i < 9; i++) {
    const h = mix32(e.seed + i * 101);
    const a = unit(h, 0) * Math.PI * 2,
      d = unit(h, 8) * e.size * 0.6 * grow;
    const rad = e.size * (0.3 + 0.35 * unit(h, 16)) * grow;
    const grey = 0x60 + Math.floor(unit(h, 24) * 0x70);
    r.blendSoftDisc(e.x + Math.cos(a) * d, e.y + Math.sin(a) * d * 0.7 - e.age * e.size * 0.4, rad, (grey << 16) | (grey << 8) | (grey + 8), 0.85 * fade);
  }
}

function explosion(r: Raster, e: Effect): void {
  const s = e.size * (0.5 + 0.7 * e.age);
  const fade = 1 - e.age * 0.6;
  for (let i = 0; i < 10; i++) {
    const h = mix32(e.seed + i * 31);
    const a = unit(h, 0) * Math.PI * 2,
      d = unit(h, 8) * s * 0.55;
    r.blendSoftDisc(e.x + Math.cos(a) * d, e.y + Math.sin(a) * d, s * (0.25 + 0.3 * unit(h, 16)), i % 3 === 0 ? 0xd03010 : 0xf08020, 0.9 * fade);
  }
  r.blendSoftDisc(e.x, e.y, s * 0.45, 0xffe060, 0.95 * fade);
  r.fillCircle(e.x, e.y, s * 0.18 * (1 - e.age), 0xfffff0);
  for (let i = 0; i < 12; i++) {
    const h = mix32(e.seed + i * 57 + 5);
    const a = unit(h, 0) * Math.PI * 2,
      d0 = s * 0.5,
      d1 = s * (0.8 + 0.5 * unit(h, 8));
    r.fillCapsule(e.x + Math.cos(a) * d0, e.y + Math.sin(a) * d0, e.x + Math.cos(a) * d1, e.y + Math.sin(a) * d1, Math.max(1, s * 0.04), 0.5, 0xfff0a0);
  }
}

function spark(r: Raster, e: Effect): void {
  const pts: number[] = [];
  const n = 8,
    rot = unit(mix32(e.seed), 0) * Math.PI;
  for (let i = 0; i < n * 2; i++) {
    const rad = (i % 2 === 0 ? 1 : 0.35) * e.size * (1 - 0.5 * e.age);
    const a = rot + (i / (n * 2)) * Math.PI * 2;
    pts.push(e.x + Math.cos(a) * rad, e.y + Math.sin(a) * rad);
  }
  r.fillPolygon(pts, 0xfff27a, 0.9);
  r.fillCircle(e.x, e.y, e.size * 0.25, 0xffffff);
}
