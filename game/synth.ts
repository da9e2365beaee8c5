// `smashsight synth`: renders every (character, colour, stage, orientation) combo and writes
// JPEGs in the notebook's naming. Rendering runs on the main thread; JPEG encoding runs in sharp's
// thread pool with a few frames in flight, each in its own raster so no buffer is reused early.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Character, Color, Orientation, Stage } from './labels.ts';
import type { GameLook, SceneLabels } from './scene.ts';
import { Raster } from './raster.ts';
import { renderDatasetFrame } from './frame.ts';
import { visibleFigureMask } from './render.ts';
import { formatFrameName, maskNameFor } from '../dataset/naming.ts';
import { catchInterrupts, removeStaleTemps, tempNameFor, tempPid } from '../kit/temp-files.ts';
import { createProgress } from '../kit/progress.ts';
import { UserError } from '../kit/errors.ts';

export interface SynthOptions {
  out: string;
  seed: number;
  characters: readonly Character[];
  colors: readonly Color[];
  stages: readonly Stage[];
  orientations: readonly Orientation[];
  framesPerCombo: number;
  width: number;
  height: number;
  quality: number;
  look: GameLook;
  /** Also write each frame's visible-figure mask as <out>/masks/<character>/<frame>.png. */
  masks?: boolean;
  force: boolean;
  /** Progress output; null for none (tests). */
  progress?: NodeJS.WritableStream | null;
}

export interface SynthSummary {
  frames: number;
  imagesDir: string;
  /** Where the masks went, when asked for. */
  masksDir: string | null;
  seconds: number;
  /** Frames rendered per second of main-thread render time (one core). */
  renderFps: number;
  /** JPEG encodes per second of one encoder (1 / mean encode time). */
  encodeFps: number;
}

const IN_FLIGHT = 4;

export function combos(o: Pick<SynthOptions, 'characters' | 'colors' | 'stages' | 'orientations'>): SceneLabels[] {
  const out: SceneLabels[] = [];
  for (const character of o.characters)
    for (const color of o.colors) for (const stage of o.stages) for (const orientation of o.orientations) out.push({ character, color, stage, orientation });
  return out;
}

export async function generateDataset(o: SynthOptions): Promise<SynthSummary> {
  const imagesDir = path.join(o.out, 'images');
  const masksDir = o.masks ? path.join(o.out, 'masks') : null;
  if (!o.force && fs.existsSync(imagesDir) && fs.readdirSync(imagesDir).length > 0) {
    throw new UserError(`${imagesDir} is not empty: choose another --out or pass --force to write over it`);
  }
  catchInterrupts();
  for (const dir of masksDir ? [imagesDir, masksDir] : [imagesDir]) {
    for (const c of o.characters) fs.mkdirSync(path.join(dir, c), { recursive: true });
    // `<frame>.{jpg,png}.tmp-<pid>` of a run that died before renaming them (their process is gone)
    for (const c of fs.readdirSync(dir)) await removeStaleTemps(path.join(dir, c), (n) => (/\.(jpg|png)\.tmp-\d+$/.test(n) ? tempPid(n) : null));
  }
  const jobs = combos(o).flatMap((labels) => Array.from({ length: o.framesPerCombo }, (_, n) => ({ labels, n })));
  const progress = o.progress === null ? null : createProgress('synth', jobs.length, o.progress ?? process.stderr);
  const rasters = Array.from({ length: IN_FLIGHT }, () => new Raster(o.width, o.height));
  const maskBuffers = Array.from({ length: IN_FLIGHT }, () => new Uint8Array(o.width * o.height));
  const pending: (Promise<void> | null)[] = new Array(IN_FLIGHT).fill(null);
  let renderMs = 0,
    encodeMs = 0;
  const started = performance.now();
  for (let i = 0; i < jobs.length; i++) {
    const slot = i % IN_FLIGHT;
    await pending[slot];
    const { labels, n } = jobs[i];
    const r = rasters[slot];
    const t0 = performance.now();
    renderDatasetFrame(r, o.seed, labels, n, o.look);
    const mask = masksDir ? visibleFigureMask(r, maskBuffers[slot]) : null;
    renderMs += performance.now() - t0;
    const name = formatFrameName({ ...labels, number: n });
    const file = path.join(imagesDir, labels.character, name);
    pending[slot] = (async () => {
      const t1 = performance.now();
      const jpeg = await sharp(r.data, { raw: { width: o.width, height: o.height, channels: 3 } })
        .jpeg({ quality: o.quality })
        .toBuffer();
      encodeMs += performance.now() - t1;
      const png =
        mask && masksDir
          ? await sharp(mask, { raw: { width: o.width, height: o.height, channels: 1 } })
              .toColourspace('b-w')
              .png()
              .toBuffer()
          : null;
      // The mask first, the frame last: a frame on disk always has its mask beside it.
      if (png && masksDir) writeAtomically(path.join(masksDir, labels.character, maskNameFor(name)), png);
      writeAtomically(file, jpeg);
      progress?.tick();
    })();
    pending[slot]?.catch(() => undefined); // awaited when the slot comes round again
  }
  await Promise.all(pending);
  progress?.done();
  const frames = jobs.length;
  return {
    frames,
    imagesDir,
    masksDir,
    seconds: (performance.now() - started) / 1000,
    renderFps: frames / Math.max(renderMs / 1000, 1e-9),
    encodeFps: frames / Math.max(encodeMs / 1000, 1e-9),
  };
}

/** Written and renamed in one synchronous step: with catchInterrupts() a Ctrl-C is handled between
 * steps, so it never finds a temp file (only kill -9 can; the next run removes it). */
function writeAtomically(file: string, bytes: Buffer): void {
  const tmp = tempNameFor(file);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
