// `smashsight models quantize <package>`: calibrates the int8 graph on a seeded sample of the
// training split, checks it against fp32 on the test split, and only then adds model.int8.onnx and
// an `int8` record to meta.json (each written to a temp file and renamed: never half-written).
import fs from 'node:fs/promises';
import path from 'node:path';
import { calibrateRanges, type CalibrationBatch } from '../engine/calibrate.ts';
import { defaultThreads } from '../engine/engine.ts';
import { openEngine } from '../engine/open-engine.ts';
import { INT8_FILE, readModelPackage, type Int8Record, type ModelPackage } from '../engine/package.ts';
import { decodeModel, quantizeModel } from '../engine/quantize.ts';
import { removeOnInterrupt, tempNameFor } from '../kit/temp-files.ts';
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import { Rng } from '../kit/rng.ts';
import { evaluatePackage } from './evaluation.ts';
import { decodeImage } from './image-input.ts';
import { listSplit, splitDir, type SplitListing } from './split-listing.ts';

export interface QuantizeFlags {
  model: string;
  data: string;
  /** Calibration frames sampled from the train split. */
  samples: number;
  seed: number;
  /** Most top-1 percentage points int8 may lose against fp32 on the test split. */
  maxDrop: number;
  threads?: number;
}

const BATCH = 8;

/** Verdict on the two top-1 figures (fractions): null when int8 may be kept, else why not. */
export function int8Refusal(fp32: number, int8: number, maxDropPoints: number): string | null {
  const drop = (fp32 - int8) * 100;
  if (drop <= maxDropPoints + 1e-9) return null;
  return `int8 top-1 ${(int8 * 100).toFixed(2)}% is ${drop.toFixed(2)} points below fp32's ${(fp32 * 100).toFixed(2)}% (allowed: ${maxDropPoints}; --max-drop to change)`;
}

/** A seeded sample of `n` files of the listing (all of them when it has fewer). */
export function sampleFiles(listing: SplitListing, n: number, seed: number): string[] {
  const files = listing.items.map((i) => i.path);
  const rng = new Rng(seed);
  for (let i = files.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [files[i], files[j]] = [files[j]!, files[i]!];
  }
  return files.slice(0, Math.min(n, files.length));
}

async function* calibrationBatches(files: string[], pkg: ModelPackage): AsyncGenerator<CalibrationBatch> {
  const { width, height } = pkg.meta.input;
  const progress = createProgress('calibrate', files.length);
  for (let i = 0; i < files.length; i += BATCH) {
    const chunk = files.slice(i, i + BATCH);
    const frames = await Promise.all(chunk.map((f) => decodeImage(f, width, height)));
    yield { data: Buffer.concat(frames), n: chunk.length };
    progress.tick(chunk.length);
  }
  progress.done();
}

async function top1(pkg: ModelPackage, precision: 'fp32' | 'int8', listing: SplitListing, threads: number): Promise<number> {
  const engine = await openEngine(pkg, { precision, threads });
  try {
    return (await evaluatePackage(pkg, engine, listing, { skipBad: false })).top1;
  } finally {
    await engine.dispose();
  }
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempNameFor(file);
  const kept = removeOnInterrupt(tmp);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } finally {
    kept();
    await fs.rm(tmp, { force: true });
  }
}

async function testSplit(data: string, labels: string[]): Promise<SplitListing | null> {
  try {
    return await listSplit(await splitDir(data, 'test'), labels);
  } catch (err) {
    if (err instanceof UserError && /split folder not found/.test(err.message)) return null;
    throw err;
  }
}

export async function runQuantize(f: QuantizeFlags, say: (line: string) => void): Promise<Int8Record> {
  const pkg = await readModelPackage(f.model);
  const threads = f.threads ?? defaultThreads();
  const train = await listSplit(await splitDir(f.data, 'train'), pkg.labels);
  const test = await testSplit(f.data, pkg.labels);
  const files = sampleFiles(train, f.samples, f.seed);
  const fp32 = decodeModel(await fs.readFile(pkg.onnxPath));
  const ranges = await calibrateRanges(fp32, pkg.meta.input, calibrationBatches(files, pkg), threads);
  const doc = `int8 (QDQ) of ${pkg.meta.name}: weights per channel, activations MinMax over ${files.length} frames of ${train.dir}`;
  const int8Bytes = quantizeModel(fp32, ranges, doc);

  // Judge the int8 graph before it joins the package: written beside it under a temp name first.
  const target = path.join(pkg.dir, INT8_FILE);
  const staged = tempNameFor(target);
  const kept = removeOnInterrupt(staged);
  await fs.writeFile(staged, int8Bytes);
  try {
    let scores: Int8Record['top1'] = null;
    if (test) {
      const a = await top1(pkg, 'fp32', test, threads);
      const b = await top1({ ...pkg, int8Path: staged }, 'int8', test, threads);
      scores = { split: test.dir, fp32: a, int8: b };
      say(`top-1 on ${test.dir}: fp32 ${(a * 100).toFixed(2)}%, int8 ${(b * 100).toFixed(2)}% (${test.items.length} frames)`);
      const refusal = int8Refusal(a, b, f.maxDrop);
      if (refusal) throw new UserError(`${pkg.dir}: not quantized: ${refusal}`);
    } else {
      say(`warning: ${f.data} has no test split: int8 accuracy was not checked against fp32`);
    }
    const record: Int8Record = {
      file: INT8_FILE,
      created: new Date().toISOString(),
      calibration: { split: train.dir, frames: files.length, seed: f.seed },
      top1: scores,
    };
    await fs.rename(staged, target);
    await writeAtomically(path.join(pkg.dir, 'meta.json'), `${JSON.stringify({ ...pkg.meta, int8: record }, null, 2)}\n`);
    return record;
  } finally {
    kept();
    await fs.rm(staged, { force: true });
  }
}
