// The notebook's confusion-matrix figure: row-normalized values in the cells, class names on both
// axes (predicted ticks rotated 45°), a colour bar, matplotlib's Blues, white text on dark cells.
import type { Evaluation } from './metrics.ts';
import { blues, svgDoc, text } from './plot-svg.ts';

export function confusionSvg(e: Evaluation, title = 'Confusion matrix'): string {
  const k = e.classes.length;
  const cell = Math.max(36, Math.min(64, Math.floor(480 / Math.max(k, 1))));
  const left = 24 + 8 * Math.max(...e.classes.map((c) => c.length), 4);
  const top = 48;
  const grid = cell * k;
  const bottom = top + grid + 24 + 6 * Math.max(...e.classes.map((c) => c.length), 4) + 28;
  const barX = left + grid + 24;
  const width = barX + 70;
  const max = Math.max(...e.normalized.flat(), 1e-9);
  const body: string[] = [text(left + grid / 2, 28, title, { size: 16, anchor: 'middle', weight: 'bold' })];

  e.normalized.forEach((row, i) =>
    row.forEach((v, j) => {
      const x = left + j * cell;
      const y = top + i * cell;
      body.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${blues(v / max)}"/>`);
      body.push(
        text(x + cell / 2, y + cell / 2, v.toFixed(2), {
          size: Math.min(13, cell / 3.2),
          anchor: 'middle',
          baseline: 'middle',
          fill: v > max / 2 ? '#fff' : '#000',
        }),
      );
    }),
  );
  body.push(`<rect x="${left}" y="${top}" width="${grid}" height="${grid}" fill="none" stroke="#000"/>`);
  e.classes.forEach((name, i) => {
    const c = i * cell + cell / 2;
    body.push(text(left - 6, top + c, name, { anchor: 'end', baseline: 'middle' }));
    body.push(`<line x1="${left - 4}" y1="${top + c}" x2="${left}" y2="${top + c}" stroke="#000"/>`);
    body.push(text(left + c, top + grid + 10, name, { anchor: 'end', rotate: -45, baseline: 'hanging' }));
    body.push(`<line x1="${left + c}" y1="${top + grid}" x2="${left + c}" y2="${top + grid + 4}" stroke="#000"/>`);
  });
  body.push(text(14, top + grid / 2, 'True label', { anchor: 'middle', rotate: -90, size: 13 }));
  body.push(text(left + grid / 2, bottom - 8, 'Predicted label', { anchor: 'middle', size: 13 }));

  // Colour bar from 0 to the largest value, like plt.colorbar().
  const steps = 64;
  for (let s = 0; s < steps; s++) {
    const y = top + grid - ((s + 1) * grid) / steps;
    body.push(`<rect x="${barX}" y="${y}" width="16" height="${grid / steps + 0.5}" fill="${blues((s + 0.5) / steps)}"/>`);
  }
  body.push(`<rect x="${barX}" y="${top}" width="16" height="${grid}" fill="none" stroke="#000"/>`);
  for (let t = 0; t <= 5; t++) {
    const v = (max * t) / 5;
    const y = top + grid - (grid * t) / 5;
    body.push(`<line x1="${barX + 16}" y1="${y}" x2="${barX + 20}" y2="${y}" stroke="#000"/>`);
    body.push(text(barX + 23, y, v.toFixed(2), { size: 11, baseline: 'middle' }));
  }
  return svgDoc(width, bottom, body);
}
