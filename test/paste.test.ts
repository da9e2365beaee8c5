// Figure pasting (train --paste): synth writes each frame's visible-figure mask, split carries it
// into the frame's split, and the paste step sets the figure on a background without its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateDataset, type SynthOptions } from '../game/synth.ts';
import { DEFAULT_LOOK } from '../game/scene.ts';
import { runSplit } from '../dataset/split-write.ts';
import { maskPathFor } from '../dataset/naming.ts';
import { pasteFigure, pastedFrame, randomField, readMasks, withoutFigure } from '../training/paste.ts';
import { seededRandom } from '../kit/rng.ts';

/** A small HUD-off close-view dataset of fox and puff on battlefield. */
const synthOptions = (out: string, extra: Partial<SynthOptions>): SynthOptions => ({
  out,
  seed: 1,
  characters: ['fox', 'puff'],
  colors: ['red'],
  stages: ['battlefield'],
  orientations: ['left', 'right'],
  framesPerCombo: 3,
  width: 96,
  height: 72,
  quality: 90,
  look: { ...DEFAULT_LOOK, hud: false, view: 'close' },
  force: false,
  progress: null,
  ...extra,
});

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-paste-'));
const W = 12,
  H = 8;

/** A W x H frame of one colour with a 2 x 3 figure of another at (5, 2). */
function frameWithFigure(): { frame: Uint8Array; mask: Uint8Array } {
  const frame = new Uint8Array(W * H * 3);
  const mask = new Uint8Array(W * H);
  for (let p = 0; p < W * H; p++) frame.set([10, 200, 30], p * 3);
  for (let y = 2; y < 5; y++)
    for (let x = 5; x < 7; x++) {
      frame.set([250, 0, 250], (y * W + x) * 3);
      mask[y * W + x] = 255;
    }
  return { frame, mask };
}

describe('paste', () => {
  it('sets exactly the masked pixels of the figure onto the background', () => {
    const { frame, mask } = frameWithFigure();
    const background = randomField(W, H, seededRandom(3));
    const out = pasteFigure(frame, mask, background);
    for (let p = 0; p < W * H; p++) {
      const want = mask[p] ? frame : background;
      expect([...out.subarray(p * 3, p * 3 + 3)]).toEqual([...want.subarray(p * 3, p * 3 + 3)]);
    }
  });

  it('paints a figure out with background colours and leaves the rest as it was', () => {
    const { frame, mask } = frameWithFigure();
    const out = withoutFigure(frame, mask, W, H);
    for (let p = 0; p < W * H; p++) expect([...out.subarray(p * 3, p * 3 + 3)]).toEqual([10, 200, 30]);
  });

  it('draws random fields from the seed: same seed, same field; another seed, another', () => {
    const a = randomField(32, 24, seededRandom(1));
    expect(Buffer.from(randomField(32, 24, seededRandom(1))).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(randomField(32, 24, seededRandom(2))).equals(Buffer.from(a))).toBe(false);
    expect(a.length).toBe(32 * 24 * 3);
  });

  it('keeps a frame without a mask as it is, and never shows the other frame figure', () => {
    const { frame, mask } = frameWithFigure();
    const other = frameWithFigure();
    const rand = seededRandom(5);
    expect(pastedFrame([frame, other.frame], [null, other.mask], [1], 0, W, H, rand)).toBe(frame);
    for (let k = 0; k < 20; k++) {
      const out = pastedFrame([frame, other.frame], [mask, other.mask], [0, 1], 0, W, H, rand);
      // the figure is at its own place, and nowhere else is there figure colour (the other's is painted out)
      for (let p = 0; p < W * H; p++) {
        const isFigure = [...out.subarray(p * 3, p * 3 + 3)].join() === '250,0,250';
        if (mask[p]) expect(isFigure).toBe(true);
      }
    }
  });
});

describe('figure masks through synth and split', () => {
  it('synth --masks writes one mask per frame, split puts each beside its frame, readMasks finds them', async () => {
    const root = tmp();
    const s = await generateDataset(synthOptions(root, { masks: true }));
    expect(s.masksDir).toBe(path.join(root, 'masks'));
    const frames = (fs.readdirSync(s.imagesDir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.jpg'));
    expect(frames).toHaveLength(12);
    let shown = 0;
    for (const f of frames) {
      const file = maskPathFor(path.join(s.imagesDir, f));
      expect((await sharp(file).metadata()).channels).toBe(1); // a greyscale PNG
      const { data, info } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([96, 72, 1]);
      expect(data.every((v) => v === 0 || v === 255)).toBe(true);
      if (data.some((v) => v === 255)) shown++;
    }
    expect(shown).toBeGreaterThanOrEqual(10); // a figure cut off or hidden by effects may show nothing

    const out = path.join(root, 'split');
    const a = await runSplit(
      { in: s.imagesDir, out, seed: 1, percent: { train: 50, valid: 25, test: 25 }, copy: false, force: false, skipBad: false, checkJpeg: true },
      () => undefined,
    );
    for (const split of ['train', 'valid', 'test'] as const) {
      for (const item of a[split]) {
        const placed = path.join(out, split, 'images', item.name.character, path.basename(item.path));
        expect(fs.readFileSync(maskPathFor(placed)).equals(fs.readFileSync(maskPathFor(item.path)))).toBe(true);
      }
    }
    const trainFrames = a.train.map((i) => path.join(out, 'train', 'images', i.name.character, path.basename(i.path)));
    const masks = await readMasks([...trainFrames, path.join(root, 'nowhere', 'x', 'a.jpg')], 48, 36);
    expect(masks.slice(0, -1).every((m) => m?.length === 48 * 36)).toBe(true);
    expect(masks.at(-1)).toBeNull();
  });
});

describe('train --paste', () => {
  it('refuses, in one line naming the mask it looked for, when the training frames have no masks', async () => {
    const root = tmp();
    const s = await generateDataset(synthOptions(root, { orientations: ['left'], framesPerCombo: 4 }));
    const split = path.join(root, 'split');
    await runSplit(
      { in: s.imagesDir, out: split, seed: 1, percent: { train: 50, valid: 25, test: 25 }, copy: false, force: false, skipBad: false, checkJpeg: true },
      () => undefined,
    );
    const bin = path.join(import.meta.dirname, '..', 'bin', 'smashsight.js');
    const args = [
      'train',
      '--data',
      split,
      '--backbone',
      'bn5',
      '--from-scratch',
      '--size',
      '32x32',
      '--epochs',
      '1',
      '--paste',
      '0.5',
      '--out',
      path.join(root, 'models'),
    ];
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--paste: no figure masks for the training frames \(expected e\.g\. .*split\/train\/masks\/.*\.png/);
    expect(fs.existsSync(path.join(root, 'models'))).toBe(false);
  }, 150_000);
});
