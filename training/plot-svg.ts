// Small SVG helpers shared by the figures, and SVG → PNG through sharp (librsvg).
import sharp from 'sharp';

/** matplotlib's 'Blues' (ColorBrewer 9 steps), linearly interpolated; t in [0, 1]. */
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

export function blues(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (BLUES.length - 1);
  const i = Math.min(Math.floor(x), BLUES.length - 2);
  const f = x - i;
  const a = hex(BLUES[i]);
  const b = hex(BLUES[i + 1]);
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function hex(h: string): number[] {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface TextOpts {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  rotate?: number;
  weight?: 'normal' | 'bold';
  baseline?: 'middle' | 'auto' | 'hanging';
}

export function text(x: number, y: number, s: string, o: TextOpts = {}): string {
  const rot = o.rotate ? ` transform="rotate(${o.rotate} ${x} ${y})"` : '';
  return (
    `<text x="${x}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="${o.size ?? 12}" ` +
    `text-anchor="${o.anchor ?? 'start'}" dominant-baseline="${o.baseline ?? 'auto'}" fill="${o.fill ?? '#000'}" ` +
    `font-weight="${o.weight ?? 'normal'}"${rot}>${esc(s)}</text>`
  );
}

export function svgDoc(width: number, height: number, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${body.join('')}</svg>`
  );
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 96 }).png().toBuffer();
}
