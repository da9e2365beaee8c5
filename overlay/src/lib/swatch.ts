// A recognisable colour + shape + initials per character name, generated from the name alone
// (no game art ships with smashsight). Same name → same swatch on every page and machine.

export type SwatchShape = 'circle' | 'diamond' | 'hexagon' | 'shield' | 'star';
const SHAPES: readonly SwatchShape[] = ['circle', 'diamond', 'hexagon', 'shield', 'star'];

export interface Swatch {
  hue: number;
  fill: string;
  edge: string;
  shape: SwatchShape;
  initials: string;
}

/** FNV-1a: small, stable, spreads short strings well. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function initialsOf(name: string): string {
  const words = name.split(/[\s_\-.]+/).filter((w) => w !== '');
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2).replace(/^./, (c) => c.toUpperCase());
  return (words[0][0] + words[1][0]).toUpperCase();
}

export function swatchFor(name: string): Swatch {
  const h = hash(name.toLowerCase());
  const hue = h % 360;
  return {
    hue,
    fill: `hsl(${hue} 70% 52%)`,
    edge: `hsl(${hue} 80% 28%)`,
    shape: SHAPES[(h >>> 9) % SHAPES.length],
    initials: initialsOf(name),
  };
}

/** SVG path for a shape in a 0..100 box. */
export function shapePath(shape: SwatchShape): string {
  switch (shape) {
    case 'circle':
      return 'M50 6a44 44 0 1 1 0 88a44 44 0 1 1 0-88z';
    case 'diamond':
      return 'M50 4L96 50L50 96L4 50z';
    case 'hexagon':
      return 'M27 8H73L96 50L73 92H27L4 50z';
    case 'shield':
      return 'M50 4L92 16V50C92 74 73 90 50 96C27 90 8 74 8 50V16z';
    case 'star':
      return 'M50 4L62 36L96 38L69 59L79 94L50 74L21 94L31 59L4 38L38 36z';
  }
}

/** Display form of a label: 'captain-falcon' → 'Captain Falcon'. */
export function displayName(label: string): string {
  return label
    .split(/[_-]+/)
    .filter((w) => w !== '')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}
