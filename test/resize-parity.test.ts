// One resize for training and serving: the same JPEG, decoded for training and streamed through
// ffmpeg as the live path does, reaches the model as (nearly) the same pixels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDatasetFrame } from '../game/frame.ts';
import { DEFAULT_LOOK } from '../game/scene.ts';
import { Raster } from '../game/raster.ts';
import { openFrames, type Frame } from '../source/frames.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { decodeImage } from '../training/image-input.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-resize-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function livePath(file: string, width: number, height: number): Promise<Buffer> {
  const stream = openFrames(parseSourceSpec(`file:${file}`), { width, height });
  return new Promise((resolve, reject) => {
    stream.once('frame', (f: Frame) => {
      stream.stop();
      resolve(f.data);
    });
    stream.once('exit', (code: number | null, tail: string) => reject(new Error(`ffmpeg exited ${code}: ${tail}`)));
  });
}

describe('one resize for training and serving', () => {
  it.each([
    [128, 96],
    [160, 120],
    [224, 224],
  ])('a 640x480 game frame at %ix%i: training and live inputs within 1/255 mean absolute difference', async (width, height) => {
    const raster = new Raster(640, 480);
    renderDatasetFrame(raster, 3, { character: 'marth', color: 'red', stage: 'yoshis', orientation: 'left' }, 0, DEFAULT_LOOK);
    const file = path.join(dir, `frame-${width}.jpg`);
    await sharp(Buffer.from(raster.data), { raw: { width: 640, height: 480, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file);

    const trained = await decodeImage(file, width, height);
    const live = await livePath(file, width, height);
    expect(live.length).toBe(trained.length);
    const mad = meanAbsDiff(trained, live);
    expect(mad).toBeLessThanOrEqual(1);
    expect(mad).toBeGreaterThan(0); // two decoders, two scalers: equal would mean one path was skipped
  });
});
