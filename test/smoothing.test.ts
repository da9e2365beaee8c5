import { describe, expect, it } from 'vitest';
import { DEFAULT_SMOOTHING, Smoother, validateSmoothing } from '../server/store.ts';

const labels = ['fox', 'falco', 'marth'];
const settings = { ema: 0.5, margin: 0.15, holdMs: 300, floor: 0.5 };

/** Feeds one frame every 100 ms; returns the shown label after each. */
function run(s: Smoother, frames: number[][], t0 = 0): string[] {
  return frames.map((p, i) => s.update(p, t0 + i * 100).label);
}

const FOX = [0.9, 0.05, 0.05];
const MARTH = [0.05, 0.05, 0.9];
const FLAT = [0.34, 0.33, 0.33];

describe('Smoother', () => {
  it('shows a label only once it has led for the hold time', () => {
    const s = new Smoother(labels, settings);
    // t=0 starts the challenge, t=300 completes the 300 ms hold.
    expect(run(s, [FOX, FOX, FOX, FOX, FOX])).toEqual(['unknown', 'unknown', 'unknown', 'fox', 'fox']);
  });

  it('ignores a one-frame blip and switches on a sustained change', () => {
    const s = new Smoother(labels, settings);
    run(s, [FOX, FOX, FOX, FOX]);
    expect(run(s, [MARTH, FOX, FOX], 400)).toEqual(['fox', 'fox', 'fox']);
    // Sustained marth from t=700: it leads from its first frame on (fox drops under the floor),
    // and is shown once that has lasted the 300 ms hold, not before.
    const shown = run(s, [MARTH, MARTH, MARTH, MARTH, MARTH, MARTH, MARTH], 700);
    expect(shown.slice(0, 3)).toEqual(['fox', 'fox', 'fox']);
    expect(shown.slice(3)).toEqual(['marth', 'marth', 'marth', 'marth']);
  });

  it('a lead under the margin does not switch, however long it lasts', () => {
    const s = new Smoother(labels, { ...settings, floor: 0.3 });
    run(s, [FOX, FOX, FOX, FOX]);
    const close = [0.4, 0.0, 0.5]; // marth leads fox by 0.1 < margin 0.15
    expect(run(s, Array(20).fill(close), 400).every((l) => l === 'fox')).toBe(true);
  });

  it("falls back to 'unknown' under the confidence floor, after the hold", () => {
    const s = new Smoother(labels, settings);
    run(s, [FOX, FOX, FOX, FOX]);
    const shown = run(s, Array(8).fill(FLAT), 400);
    expect(shown[0]).toBe('fox');
    expect(shown.at(-1)).toBe('unknown');
    const r = s.update(FLAT, 1300);
    expect(r.confidence).toBeLessThan(0.5);
  });

  it('reports a change exactly once', () => {
    const s = new Smoother(labels, { ...settings, ema: 1, holdMs: 0 });
    const changes = [FOX, FOX, MARTH, MARTH, MARTH, MARTH].map((p, i) => s.update(p, i * 100).changed);
    expect(changes.filter(Boolean)).toHaveLength(2);
  });

  it('averages probabilities with weight --ema on the newest frame, exactly', () => {
    const s = new Smoother(labels, { ...settings, ema: 0.3, holdMs: 0 });
    expect(s.update(FOX, 0).confidence).toBe(0.9); // the first frame is taken as is
    s.update(FOX, 100);
    const r = s.update(MARTH, 200);
    // fox 0.9·0.7 + 0.05·0.3, falco 0.05, marth 0.05·0.7 + 0.9·0.3
    expect(r.label).toBe('fox');
    expect(r.confidence).toBeCloseTo(0.645, 12);
    expect(Array.from(s.probabilities, (p) => Number(p.toFixed(12)))).toEqual([0.645, 0.05, 0.305]);
  });

  it('a two-frame blip does not flip the label at the defaults, even where frames are slower than the hold', () => {
    // 2.5 frames/s: two frames span 400 ms, more than the 300 ms hold, so only the average stops it.
    const frames = [FOX, FOX, FOX, FOX, MARTH, MARTH, FOX, FOX, FOX];
    const at = (s: Smoother) => frames.map((p, i) => s.update(p, i * 400).label);
    expect(at(new Smoother(labels, DEFAULT_SMOOTHING)).slice(1)).toEqual(Array(8).fill('fox'));
    // and the test can tell: without the average the blip is shown
    expect(at(new Smoother(labels, { ...DEFAULT_SMOOTHING, ema: 1 }))).toContain('marth');
  });

  it('validates its knobs', () => {
    expect(validateSmoothing(settings)).toBeNull();
    expect(validateSmoothing({ ...settings, ema: 0 })).toMatch(/--ema/);
    expect(validateSmoothing({ ...settings, floor: 2 })).toMatch(/--floor/);
  });
});
