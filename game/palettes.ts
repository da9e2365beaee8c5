// Costume palettes, shared by every character: a red fox and a red marth wear the same reds, so a
// classifier cannot tell characters apart by colour alone.
import type { Color } from './labels.ts';

export interface Palette {
  main: number;
  second: number;
  accent: number;
  dark: number;
}

export const PALETTES: Record<Color, Palette> = {
  default: { main: 0xd8d4c4, second: 0x6a4a2c, accent: 0xe8b020, dark: 0x3a3030 },
  red: { main: 0xcc2a2a, second: 0x5a1a1a, accent: 0xf0d040, dark: 0x301010 },
  blue: { main: 0x2a58cc, second: 0x1a2a5a, accent: 0xe0e8f8, dark: 0x101830 },
  green: { main: 0x34a040, second: 0x1c4a24, accent: 0xf0a0c0, dark: 0x102810 },
};

// Fixed, character-independent material colours (small areas).
export const SKIN = 0xf0c8a0;
export const WHITE = 0xeeeeea;
export const GOLD = 0xe8c030;
export const STEEL = 0xd0d6e4;
export const BLACK = 0x181818;
export const BLONDE = 0xead27a;
