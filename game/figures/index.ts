// The character roster and the one call that draws a character into a raster.
import type { Character } from '../labels.ts';
import type { Figure } from './figure.ts';
import type { Palette } from '../palettes.ts';
import type { PoseName } from '../poses.ts';
import type { Pose } from '../skeleton.ts';
import type { Raster } from '../raster.ts';
import { Pen } from '../pen.ts';
import { solveJoints } from '../skeleton.ts';
import { falco, fox, puff } from './animals.ts';
import { marth, peach, sheik } from './humans.ts';
import { falcon, samus } from './armored.ts';

export const FIGURES: Record<Character, Figure> = { fox, falco, marth, sheik, peach, falcon, puff, samus };

export interface CharacterPlacement {
  /** Screen position of the feet (standing) — the figure's local origin. */
  x: number;
  y: number;
  /** Pixels per local unit. */
  scale: number;
  facing: 1 | -1;
}

const pens = new WeakMap<Raster, Pen>();

function penFor(r: Raster): Pen {
  let p = pens.get(r);
  if (!p) {
    p = new Pen(r);
    pens.set(r, p);
  }
  return p;
}

export function drawCharacter(r: Raster, character: Character, pal: Palette, action: PoseName, pose: Pose, at: CharacterPlacement): void {
  const fig = FIGURES[character];
  const pen = penFor(r);
  pen.place(at.x, at.y, at.scale, at.facing, pose.spin, -fig.height * 0.45);
  fig.draw({ pen, j: solveJoints(fig.body, pose), pose, pal, action });
}

/** The character's head (its HUD icon) centred at (cx, cy), about `size` pixels across. */
export function drawCharacterIcon(r: Raster, character: Character, pal: Palette, cx: number, cy: number, size: number): void {
  const fig = FIGURES[character];
  const extent = character === 'puff' ? 56 : 30;
  const pen = penFor(r);
  pen.place(cx, cy, size / extent, 1, 0, 0);
  fig.head(pen, { x: character === 'puff' ? 0 : -1, y: character === 'puff' ? -2 : 3 }, 0, pal);
}
