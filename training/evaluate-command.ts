// `smashsight evaluate`: runs a model package over a split and writes the report files beside it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { openEngine } from '../engine/open-engine.ts';
import type { EngineKind, Precision } from '../engine/engine.ts';
import { readModelPackage } from '../engine/package.ts';
import type { TrainingHistory } from './callbacks.ts';
import { evaluatePackage, reportFiles, writeFilesInto } from './evaluation.ts';
import { evaluationMarkdown } from './metrics.ts';
import { listSplit, splitDir } from './split-listing.ts';

export interface EvaluateFlags {
  model: string;
  data: string;
  split: string;
  out?: string;
  engine: EngineKind;
  precision?: Precision;
  threads?: number;
  skipBad: boolean;
}

async function readHistory(dir: string): Promise<TrainingHistory | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'history.json'), 'utf8')) as TrainingHistory;
  } catch {
    return undefined;
  }
}

export async function runEvaluate(f: EvaluateFlags): Promise<void> {
  const pkg = await readModelPackage(f.model);
  const listing = await listSplit(await splitDir(f.data, f.split), pkg.labels);
  const engine = await openEngine(pkg, { engine: f.engine, precision: f.precision, threads: f.threads });
  const report = await evaluatePackage(pkg, engine, listing, { skipBad: f.skipBad }).finally(() => engine.dispose());
  const out = f.out ?? pkg.dir;
  await fs.mkdir(out, { recursive: true });
  await writeFilesInto(out, await reportFiles(report, await readHistory(pkg.dir)));
  process.stdout.write(evaluationMarkdown(report, `Evaluation of ${pkg.meta.name} on ${listing.dir}`));
  process.stdout.write(`\nwrote evaluation.json, evaluation.md, confusion.png to ${out}\n`);
}
