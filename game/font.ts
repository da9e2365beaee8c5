// Seven-segment digits and a percent sign for the HUD's damage counters.
import type { Raster } from './raster.ts';

// Segment bits: a top, b top-right, c bottom-right, d bottom, e bottom-left, f top-left, g middle.
const DIGITS = [0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f];

/** Draws `text` (digits and '%') with digit height h; returns the x after the last glyph. */
export function drawDigits(r: Raster, text: string, x: number, y: number, h: number, color: number): number {
  const w = h * 0.55,
    t = Math.max(1, h * 0.15),
    half = h / 2;
  for (const ch of text) {
    if (ch === '%') {
      r.fillRect(x, y + h * 0.1, t * 1.4, t * 1.4, color);
      r.fillRect(x + w - t * 1.4, y + h - t * 1.6, t * 1.4, t * 1.4, color);
      r.fillPolygon([x + w - t, y, x + w, y, x + t, y + h, x, y + h], color);
      x += w + t * 1.5;
      continue;
    }
    if (ch === '1') {
      // a narrow one, as on a real counter, rather than a right-aligned stroke leaving a gap
      r.fillRect(x, y, t, h, color);
      x += t * 2.5;
      continue;
    }
    const bits = DIGITS[ch.charCodeAt(0) - 48] ?? 0;
    if (bits & 1) r.fillRect(x, y, w, t, color);
    if (bits & 2) r.fillRect(x + w - t, y, t, half, color);
    if (bits & 4) r.fillRect(x + w - t, y + half, t, half, color);
    if (bits & 8) r.fillRect(x, y + h - t, w, t, color);
    if (bits & 16) r.fillRect(x, y + half, t, half, color);
    if (bits & 32) r.fillRect(x, y, t, half, color);
    if (bits & 64) r.fillRect(x, y + half - t / 2, w, t, color);
    x += w + t * 1.5;
  }
  return x;
}
