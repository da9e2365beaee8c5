// A scene is everything one frame shows, as plain data: labels, pose, world position, camera,
// effects, HUD. `randomScene` draws one for a dataset frame; the live game animates one.
import type { Character, Color, Orientation, Stage } from './labels.ts';
import type { PoseName } from './poses.ts';
import type { Pose } from './skeleton.ts';
import type { Effect } from './effects.ts';
import type { Rng } from '../kit/rng.ts';
import { jitteredPose } from './poses.ts';
import { FIGURES } from './figures/index.ts';
import { STAGE_LOOKS } from './stages/index.ts';
import { EFFECT_KINDS } from './effects.ts';
import type { Backdrop } from './backdrop.ts';
import { randomBackdrop } from './backdrop.ts';

/** An effect on the screen: the same fields the renderer draws (effects.ts). */
export type WorldEffect = Effect;

export interface SceneSpec {
  width: number;
  height: number;
  character: Character;
  color: Color;
  stage: Stage;
  orientation: Orientation;
  action: PoseName;
  pose: Pose;
  /** World position of the character's feet, and its size relative to the stage. */
  x: number;
  y: number;
  scale: number;
  camera: { cx: number; cy: number; zoom: number };
  /** Stage look variation in [0, 1): cloud/star layout, sky tint. */
  variant: number;
  effects: WorldEffect[];
  /** The character's HUD port (1-4) or null for no HUD. */
  hud: HudState | null;
  /** The colour map the stage is repainted through, if any. */
  backdrop?: Backdrop;
}

export interface SceneLabels {
  character: Character;
  color: Color;
  stage: Stage;
  orientation: Orientation;
}

const ACTIONS: [PoseName, number][] = [
  ['idle', 0.18],
  ['run', 0.2],
  ['jump', 0.16],
  ['attack', 0.2],
  ['crouch', 0.1],
  ['tumble', 0.16],
];

function pickAction(rng: Rng): PoseName {
  let u = rng.next();
  for (const [name, w] of ACTIONS) {
    if ((u -= w) < 0) return name;
  }
  return 'idle';
}

/** The HUD port the player is in, live and in every dataset frame: the notebook's captures are port 1. */
export const PLAYER_PORT = 1;

export interface HudState {
  port: number;
  damage: number;
  stocks: number;
}

/** A HUD state anywhere in a game: damage 0 (fresh stock) or up to 180%, 1-4 stocks. */
export function randomHud(rng: Rng): HudState {
  return { port: PLAYER_PORT, damage: rng.range(0, 1) < 0.15 ? 0 : rng.range(0, 180), stocks: rng.int(1, 5) };
}

/**
 * How the camera frames the player: `wide` (mostly a wide shot, sometimes a close-up: the figure is
 * 10-20 px tall at 128x96) or `close` (always the close-up, as a camera that follows one player:
 * 20-40 px at 128x96, which a small network trained from scratch can tell apart on a stage it never saw).
 */
export type View = 'wide' | 'close';
export const VIEWS: readonly View[] = ['wide', 'close'];

/** What a frame shows besides its labels: the HUD or not, and the camera's shot. */
export interface GameLook {
  hud: boolean;
  view: View;
  /** Share of dataset frames (0-1) whose stage is repainted in random colours (backdrop.ts); never live. */
  recolor?: number;
}
export const DEFAULT_LOOK: GameLook = { hud: true, view: 'wide' };

/** Visible world width for a shot. Both views draw the same numbers, so a seed's other draws stay put. */
export function randomView(rng: Rng, view: View = 'wide'): number {
  return rng.chance(0.1) || view === 'close' ? rng.range(320, 520) : rng.range(650, 1300);
}

/** The character's size jitter (costume/pose proportions vary a little). */
export function randomScale(rng: Rng): number {
  return rng.range(0.92, 1.08);
}

/** Effect size in world units for a character of height `figHeight`. */
export function randomEffectSize(rng: Rng, figHeight: number): number {
  return figHeight * rng.range(0.25, 0.7);
}

/** Fraction of frames with effects on screen; the live game aims for the same share. */
export const EFFECT_RATE = 0.3;

/** The pose jitter dataset frames get (radians). */
export const POSE_JITTER = 0.18;

/**
 * Where the character's middle sits on screen: anywhere above the HUD, or (sometimes) straddling
 * the left, right or top edge so part of it is cut off.
 */
export function randomFraming(rng: Rng, charW: number, charH: number, width: number, height: number): { midX: number; midY: number } {
  let midX = rng.range(Math.min(charW * 0.6, width / 2), Math.max(width - charW * 0.6, width / 2));
  let midY = rng.range(Math.min(charH * 0.6, height * 0.4), Math.max(height * 0.78 - charH * 0.4, height * 0.4));
  if (rng.chance(0.12)) {
    const side = rng.int(0, 3);
    if (side === 0) midX = rng.range(-0.2, 0.3) * charW;
    else if (side === 1) midX = width - rng.range(-0.2, 0.3) * charW;
    else midY = rng.range(-0.15, 0.3) * charH;
  }
  return { midX, midY };
}

/** A random gameplay frame: mostly small characters, sometimes cut off or behind an effect. */
export function randomScene(rng: Rng, labels: SceneLabels, width: number, height: number, look: GameLook): SceneSpec {
  const stage = STAGE_LOOKS[labels.stage];
  const action = pickAction(rng);
  const surface = rng.chance(0.65) ? stage.surfaces[0] : rng.pick(stage.surfaces);
  const fig = FIGURES[labels.character];
  const x = rng.range(surface.x0 + 15, surface.x1 - 15);
  const airborne = action === 'jump' || action === 'tumble';
  const y = surface.y - (airborne ? rng.range(30, 220) : 0);
  const view = randomView(rng, look.view);
  const zoom = width / view;
  const viewH = height / zoom;
  const { midX, midY } = randomFraming(rng, fig.height * 0.5 * zoom, fig.height * zoom, width, height);
  const cx = x - (midX - width / 2) / zoom;
  const cy = y - fig.height * 0.5 - (midY - height / 2) / zoom;
  const effects: WorldEffect[] = [];
  if (rng.chance(EFFECT_RATE)) {
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) {
      const near = i === 0 || rng.chance(0.4);
      effects.push({
        kind: rng.pick(EFFECT_KINDS),
        x: near ? x + rng.jitter(fig.height * 0.4) : cx + rng.jitter(view * 0.45),
        y: near ? y - fig.height * rng.range(0.1, 0.8) : cy + rng.jitter(viewH * 0.4),
        size: randomEffectSize(rng, fig.height),
        age: rng.next(),
        seed: rng.int(0, 0x7fffffff),
      });
    }
  }
  return {
    width,
    height,
    ...labels,
    action,
    pose: jitteredPose(action, rng.next(), rng, POSE_JITTER),
    x,
    y,
    scale: randomScale(rng),
    camera: { cx, cy, zoom },
    variant: rng.next(),
    effects,
    hud: look.hud ? randomHud(rng) : null,
    // drawn last, so recolouring leaves the rest of a seed's frame as it was
    ...(look.recolor && rng.chance(look.recolor) ? { backdrop: randomBackdrop(rng) } : {}),
  };
}
