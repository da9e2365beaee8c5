// `smashsight predict`: top-k labels with probabilities for an image, a folder of images, or a
// video file (frames through ffmpeg, the same path live capture takes).
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { openEngine } from '../engine/open-engine.ts';
import type { Engine, EngineKind, Precision } from '../engine/engine.ts';
import { readModelPackage } from '../engine/package.ts';
import { classifyFiles } from './classify.ts';

export interface PredictFlags {
  model: string;
  top: number;
  json: boolean;
  fps?: number;
  engine: EngineKind;
  precision?: Precision;
  threads?: number;
  /** Report and skip images that cannot be decoded instead of stopping at the first. */
  skipBad: boolean;
}

export interface Prediction {
  input: string;
  top: { label: string; p: number }[];
}

const IMAGE_RE = /\.(jpe?g|png|webp|gif|tiff?|bmp)$/i;

/** The k most probable labels of one output row, most probable first. */
export function topK(labels: string[], probs: Float32Array, k: number): { label: string; p: number }[] {
  return Array.from(probs, (p, i) => ({ label: labels[i], p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, Math.min(k, labels.length));
}

async function imagesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_RE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function predictVideo(engine: Engine, file: string, labels: string[], f: PredictFlags, emit: (p: Prediction) => void): Promise<void> {
  const { openFrames } = await import('../source/frames.ts');
  const stream = openFrames({ kind: 'file', path: file, loop: false }, { width: engine.width, height: engine.height, fps: f.fps });
  let chain = Promise.resolve();
  let frames = 0;
  stream.on('frame', (frame: { seq: number; data: Buffer }) => {
    frames += 1;
    chain = chain.then(async () => {
      const out = await engine.run(frame.data, 1);
      const at = f.fps ? ` t=${(frame.seq / f.fps).toFixed(2)}s` : '';
      emit({ input: `${file}#${frame.seq}${at}`, top: topK(labels, out, f.top) });
    });
  });
  await new Promise<void>((resolve, reject) =>
    stream.on('exit', (c: number | null, tail: string) =>
      c === 0 ? resolve() : reject(new UserError(`${file}: ffmpeg could not read it as video (${tail.split('\n').pop() || `exit ${c}`})`)),
    ),
  );
  await chain;
  if (frames === 0) throw new UserError(`${file}: no video frames in it`);
}

export async function runPredict(input: string, f: PredictFlags): Promise<void> {
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat) throw new UserError(`${input}: no such file or folder`);
  const pkg = await readModelPackage(f.model);
  const engine = await openEngine(pkg, { engine: f.engine, precision: f.precision, threads: f.threads });
  const emit = (p: Prediction): void => {
    process.stdout.write(f.json ? `${JSON.stringify(p)}\n` : `${p.input}: ${p.top.map((t) => `${t.label} ${t.p.toFixed(3)}`).join(', ')}\n`);
  };
  try {
    if (stat.isDirectory() || IMAGE_RE.test(input)) {
      const files = stat.isDirectory() ? await imagesUnder(input) : [input];
      if (files.length === 0) throw new UserError(`${input}: no images in this folder`);
      const r = await classifyFiles(engine, files, { skipBad: f.skipBad, label: 'predict' });
      if (r.done.length === 0) throw new UserError(`${input}: no image could be decoded (${r.bad.length} skipped)`);
      const k = pkg.labels.length;
      r.done.forEach((fi, i) => emit({ input: files[fi], top: topK(pkg.labels, r.outputs.subarray(i * k, (i + 1) * k), f.top) }));
    } else {
      await predictVideo(engine, input, pkg.labels, f, emit);
    }
  } finally {
    await engine.dispose();
  }
}
