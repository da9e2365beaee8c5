// Renders a scene into a raster and reports what ended up on screen: the character's visible
// bounding box, whether an edge cuts it off, and how much of it effects or the HUD hide.
import type { Raster } from './raster.ts';
import type { SceneSpec } from './scene.ts';
import type { HudPort } from './hud.ts';
import type { Camera } from './stages/camera.ts';
import { STAGE_LOOKS } from './stages/index.ts';
import { drawCharacter } from './figures/index.ts';
import { drawEffect } from './effects.ts';
import { drawHud } from './hud.ts';
import { recolor } from './backdrop.ts';
import { PALETTES } from './palettes.ts';
import { sx, sy } from './stages/camera.ts';

export interface SceneMeta {
  /** Visible character pixels' bounding box, or null when none are in the frame. */
  bbox: { x: number; y: number; w: number; h: number } | null;
  /** bbox area / frame area. */
  areaFraction: number;
  /** Character pixels inside the frame. */
  pixels: number;
  /** The character touches a frame edge (part of it is outside). */
  cutOff: boolean;
  /** Fraction of the character's in-frame pixels covered by effects or the HUD. */
  occlusion: number;
}

const MARK_CHARACTER = 1,
  MARK_EFFECT = 2,
  MARK_HUD = 4;

/**
 * The figure's visible pixels after renderScene: 255 where the character shows, 0 elsewhere (also
 * where an effect or the HUD covers it), one byte per pixel: the seed's `data/masks`.
 */
export function visibleFigureMask(r: Raster, out: Uint8Array = new Uint8Array(r.width * r.height)): Uint8Array {
  const m = r.mask;
  for (let i = 0; i < m.length; i++) out[i] = (m[i]! & MARK_CHARACTER) !== 0 && (m[i]! & (MARK_EFFECT | MARK_HUD)) === 0 ? 255 : 0;
  return out;
}

export function renderScene(r: Raster, s: SceneSpec): SceneMeta {
  const look = STAGE_LOOKS[s.stage];
  const cam: Camera = { ...s.camera, width: r.width, height: r.height };
  r.resetMask();
  look.background(r, cam, s.variant);
  look.platforms(r, cam);
  if (s.backdrop) recolor(r, s.backdrop);
  r.mark = MARK_CHARACTER;
  drawCharacter(r, s.character, PALETTES[s.color], s.action, s.pose, {
    x: sx(cam, s.x),
    y: sy(cam, s.y),
    scale: cam.zoom * s.scale,
    facing: s.orientation === 'right' ? 1 : -1,
  });
  r.mark = MARK_EFFECT;
  for (const e of s.effects) {
    drawEffect(r, { kind: e.kind, x: sx(cam, e.x), y: sy(cam, e.y), size: e.size * cam.zoom, age: e.age, seed: e.seed });
  }
  r.mark = MARK_HUD;
  if (s.hud) {
    const ports: (HudPort | null)[] = [null, null, null, null];
    ports[s.hud.port - 1] = { character: s.character, palette: PALETTES[s.color], damage: s.hud.damage, stocks: s.hud.stocks };
    drawHud(r, ports);
  }
  r.mark = 0;
  return measure(r);
}

function measure(r: Raster): SceneMeta {
  const b = r.markBox;
  if (b.x1 <= b.x0 || b.y1 <= b.y0) return { bbox: null, areaFraction: 0, pixels: 0, cutOff: false, occlusion: 0 };
  let pixels = 0,
    hidden = 0;
  const m = r.mask;
  for (let y = b.y0; y < b.y1; y++) {
    for (let i = y * r.width + b.x0, end = y * r.width + b.x1; i < end; i++) {
      const v = m[i];
      if (v & MARK_CHARACTER) {
        pixels++;
        if (v & (MARK_EFFECT | MARK_HUD)) hidden++;
      }
    }
  }
  const w = b.x1 - b.x0,
    h = b.y1 - b.y0;
  return {
    bbox: { x: b.x0, y: b.y0, w, h },
    areaFraction: (w * h) / (r.width * r.height),
    pixels,
    cutOff: b.x0 === 0 || b.y0 === 0 || b.x1 === r.width || b.y1 === r.height,
    occlusion: pixels ? hidden / pixels : 0,
  };
}
