// Training curves: loss and accuracy per epoch, train and valid, side by side.
import type { TrainingHistory } from './callbacks.ts';
import { svgDoc, text } from './plot-svg.ts';

const TRAIN = '#1f77b4';
const VALID = '#ff7f0e';

function panel(x0: number, title: string, train: number[], valid: number[], yMin: number, yMax: number, legendLow: boolean): string[] {
  const w = 340;
  const h = 240;
  const top = 50;
  const left = x0 + 50;
  const n = Math.max(train.length, 1);
  const px = (i: number): number => left + (n === 1 ? w / 2 : (i * w) / (n - 1));
  const py = (v: number): number => top + h - ((v - yMin) / Math.max(yMax - yMin, 1e-9)) * h;
  const line = (vals: number[], color: string): string =>
    vals.length === 0
      ? ''
      : `<polyline fill="none" stroke="${color}" stroke-width="2" points="${vals.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>` +
        vals.map((v, i) => `<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
  const ly = legendLow ? top + h - 44 : top + 14; // keep the legend off the curves
  const out = [
    text(left + w / 2, 32, title, { size: 15, anchor: 'middle', weight: 'bold' }),
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#000"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = yMin + ((yMax - yMin) * t) / 4;
    out.push(`<line x1="${left}" y1="${py(v)}" x2="${left + w}" y2="${py(v)}" stroke="#ddd"/>`);
    out.push(text(left - 6, py(v), v.toFixed(2), { size: 11, anchor: 'end', baseline: 'middle' }));
  }
  const every = Math.ceil(n / 10);
  for (let i = 0; i < n; i += every) out.push(text(px(i), top + h + 16, String(i + 1), { size: 11, anchor: 'middle' }));
  out.push(text(left + w / 2, top + h + 36, 'epoch', { size: 12, anchor: 'middle' }));
  out.push(line(train, TRAIN), line(valid, VALID));
  out.push(`<line x1="${left + w - 90}" y1="${ly}" x2="${left + w - 70}" y2="${ly}" stroke="${TRAIN}" stroke-width="2"/>`);
  out.push(text(left + w - 65, ly, 'train', { size: 11, baseline: 'middle' }));
  out.push(`<line x1="${left + w - 90}" y1="${ly + 16}" x2="${left + w - 70}" y2="${ly + 16}" stroke="${VALID}" stroke-width="2"/>`);
  out.push(text(left + w - 65, ly + 16, 'valid', { size: 11, baseline: 'middle' }));
  return out;
}

export function curvesSvg(h: TrainingHistory): string {
  const losses = [...h.loss, ...h.val_loss].filter(Number.isFinite);
  const lossMax = Math.max(...losses, 0.1) * 1.05;
  return svgDoc(820, 340, [...panel(0, 'Loss', h.loss, h.val_loss, 0, lossMax, false), ...panel(410, 'Accuracy', h.acc, h.val_acc, 0, 1, true)]);
}
