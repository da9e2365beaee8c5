// The Melee-style HUD: four port slots along the bottom. An occupied port shows its character's
// head icon in the costume colours, a damage percentage and stock icons; empty ports are dim.
import type { Raster } from './raster.ts';
import type { Character } from './labels.ts';
import type { Palette } from './palettes.ts';
import { drawCharacterIcon } from './figures/index.ts';
import { drawDigits } from './font.ts';
import { lerpColor, shade } from './raster.ts';

export interface PortRegion {
  port: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface HudPort {
  character: Character;
  palette: Palette;
  damage: number;
  stocks: number;
}

/** Port colours as in Melee: red, blue, yellow, green. */
const PORT_COLORS = [0xe03030, 0x3060e8, 0xe8c020, 0x30b040];

/**
 * The HUD slot rectangle of each port (1-4) for a frame size, in integer pixels: what a live
 * server crops to read one player's icon (`--region`).
 */
export function hudPortRegions(width: number, height: number): PortRegion[] {
  const h = Math.round(height * 0.15);
  const y = height - h - Math.round(height * 0.02);
  const slot = Math.floor(width / 4);
  const w = Math.round(slot * 0.84);
  return [1, 2, 3, 4].map((port) => ({ port, x: (port - 1) * slot + Math.round((slot - w) / 2), y, w, h }));
}

/** Draws all four slots; `ports[i]` is port i+1's player or null when empty. */
export function drawHud(r: Raster, ports: readonly (HudPort | null)[]): void {
  for (const reg of hudPortRegions(r.width, r.height)) {
    const p = ports[reg.port - 1] ?? null;
    const pc = PORT_COLORS[reg.port - 1];
    if (!p) {
      r.blendRect(reg.x, reg.y, reg.w, reg.h, 0x202028, 0.45);
      r.blendRect(reg.x, reg.y + reg.h - 3, reg.w, 3, shade(pc, 0.5), 0.5);
      continue;
    }
    r.blendRect(reg.x, reg.y, reg.w, reg.h, shade(pc, 0.35), 0.6);
    r.fillRect(reg.x, reg.y + reg.h - 3, reg.w, 3, pc);
    const iconSize = reg.h * 0.82;
    r.fillCircle(reg.x + reg.h * 0.5, reg.y + reg.h * 0.46, iconSize * 0.5, shade(pc, 0.55));
    drawCharacterIcon(r, p.character, p.palette, reg.x + reg.h * 0.5, reg.y + reg.h * 0.46, iconSize);
    const dmg = Math.max(0, Math.min(999, Math.round(p.damage)));
    const color = lerpColor(0xffffff, dmg < 100 ? 0xffd040 : 0xff3020, Math.min(1, dmg / 150));
    const dh = reg.h * 0.5;
    const dx = reg.x + reg.h * 1.05;
    drawDigits(r, `${dmg}%`, dx + 1, reg.y + reg.h * 0.14 + 1, dh, 0x101010);
    drawDigits(r, `${dmg}%`, dx, reg.y + reg.h * 0.14, dh, color);
    const stock = reg.h * 0.16;
    for (let i = 0; i < p.stocks; i++) {
      r.fillCircle(dx + stock * (0.6 + i * 2.4), reg.y + reg.h * 0.8, stock, p.palette.main);
    }
  }
}
