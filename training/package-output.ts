// Assembles the trained model package (one folder that serves every engine): the stacked backbone + head as ONNX and tfjs,
// the backbone alone, labels, meta, history; evaluates the stacked model itself on the test split
// (so the report measures exactly what ships) and writes it all atomically.
import fs from 'node:fs/promises';
import path from 'node:path';
import { readSplitProvenance } from '../dataset/manifest.ts';
import { removeOnInterrupt } from '../kit/temp-files.ts';
import type { LayerSpec, WeightSet } from '../engine/layers.ts';
import { openEngine } from '../engine/open-engine.ts';
import { packageFiles } from '../engine/package-files.ts';
import { modelInput, writeModelPackage } from '../engine/package.ts';
import type { ModelMeta, ModelPackage } from '../engine/package.ts';
import type { TrainingHistory } from './callbacks.ts';
import { evaluatePackage, reportFiles } from './evaluation.ts';
import type { EvaluationReport } from './evaluation.ts';
import type { Splits } from './split-listing.ts';
import type { TrainOptions } from './train-options.ts';

export interface PackageInput {
  opts: TrainOptions;
  classes: string[];
  splits: Splits;
  fingerprint: string;
  weightsId: string;
  backbone: LayerSpec[];
  head: LayerSpec[];
  weights: WeightSet;
  history: TrainingHistory;
  stagingDir: string;
  log: (line: string) => void;
}

function classCounts(s: Splits): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of [s.train, s.valid, s.test]) for (const [c, n] of Object.entries(l.counts)) counts[c] = (counts[c] ?? 0) + n;
  return counts;
}

/** `YYYY-MM-DD-HH-MM`, the notebook's stamp. */
export function dateStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}`;
}

/**
 * Claims `<out>/<base>` for a new package, or `<base>-2`, `-3`… when that folder is taken (two
 * runs with one --name finishing in the same minute): mkdir either makes the folder or fails, so
 * two runs never claim the same one and neither replaces the other's package.
 */
export async function claimPackageDir(out: string, base: string): Promise<string> {
  await fs.mkdir(out, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = path.join(out, n === 1 ? base : `${base}-${n}`);
    try {
      await fs.mkdir(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export async function buildPackage(p: PackageInput): Promise<{ dir: string; report: EvaluationReport }> {
  const o = p.opts;
  if (o.packageDir) return buildPackageIn(p, o.packageDir); // --package-dir: replaced, as its help says
  const dir = await claimPackageDir(o.out, `${dateStamp(o.now ?? new Date())}-${o.name}`);
  const unclaim = removeOnInterrupt(dir, 'empty-dir'); // an interrupted run leaves no empty folder
  try {
    return await buildPackageIn(p, dir);
  } catch (err) {
    await fs.rmdir(dir).catch(() => undefined); // still empty: nothing was written into it
    throw err;
  } finally {
    unclaim();
  }
}

async function buildPackageIn(p: PackageInput, dir: string): Promise<{ dir: string; report: EvaluationReport }> {
  const o = p.opts;
  const name = path.basename(path.resolve(dir));
  const meta: ModelMeta = {
    name,
    created: new Date().toISOString(),
    input: modelInput(o.height, o.width),
    preprocessing: 'caffe',
    backbone: o.backbone,
    weights: p.weightsId,
    head: { width: o.head.width, depth: o.head.depth, dropout: o.head.dropout, pool: o.head.pool },
    classes: p.classes.length,
    dataset: { fingerprint: p.fingerprint, counts: classCounts(p.splits) },
    split: readSplitProvenance(o.data),
  };
  // Both ONNX graphs, the tfjs model, labels and meta: built as `models import-keras` builds them.
  const files = await packageFiles({ meta, labels: p.classes, layers: [...p.backbone, ...p.head], weights: p.weights });

  // Evaluate the stacked package from a staging copy, with the engine the user chose.
  const stage = path.join(p.stagingDir, 'package');
  await fs.mkdir(stage, { recursive: true });
  for (const [f, data] of Object.entries(files)) await fs.writeFile(path.join(stage, f), data);
  const pkg: ModelPackage = {
    dir: stage,
    meta,
    labels: p.classes,
    onnxPath: path.join(stage, 'model.onnx'),
    backboneOnnxPath: path.join(stage, 'backbone.onnx'),
  };
  const engine = await openEngine(pkg, { engine: o.engine, threads: o.threads, arena: false }); // one pass: no arena to keep
  const report = await evaluatePackage(pkg, engine, p.splits.test, { skipBad: o.skipBad }).finally(() => engine.dispose());
  const last = p.history.val_acc.length - 1;
  meta.metrics = {
    top1: report.top1,
    macro_f1: report.macroF1,
    test_images: report.total,
    val_acc: p.history.val_acc[last],
    val_loss: p.history.val_loss[last],
    epochs: p.history.loss.length,
    images: { train: p.splits.train.items.length, valid: p.splits.valid.items.length, test: p.splits.test.items.length },
  };
  const config = {
    backbone: o.backbone,
    size: `${o.width}x${o.height}`,
    weights: p.weightsId,
    head: o.head,
    fine_tune: o.fineTune ? { blocks: o.fineTune, ...o.fineTuneCfg } : null,
    from_scratch: o.fromScratch ? { augment: o.augment, paste: o.paste, init: o.init } : null,
  };
  Object.assign(files, await reportFiles(report, p.history), {
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`, // again, now with the metrics
    'history.json': `${JSON.stringify({ ...p.history, config }, null, 2)}\n`,
  });
  await writeModelPackage(dir, files);
  p.log(`test top-1 ${(100 * report.top1).toFixed(1)}% (${report.correct}/${report.total}), macro F1 ${report.macroF1.toFixed(3)} → ${dir}`);
  return { dir, report };
}
