// Evaluates a model package on a split of the Keras layout and renders the report files:
// evaluation.json, evaluation.md, confusion.png and (when a history exists) curves.png.
import { describeSplit, readSplitProvenance, type SplitProvenance } from '../dataset/manifest.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { ModelPackage } from '../engine/package.ts';
import type { TrainingHistory } from './callbacks.ts';
import { classifyFiles } from './classify.ts';
import { confusionSvg } from './confusion-plot.ts';
import { curvesSvg } from './curves-plot.ts';
import { argmaxRows, evaluatePredictions, evaluationMarkdown } from './metrics.ts';
import type { Evaluation } from './metrics.ts';
import { svgToPng } from './plot-svg.ts';
import { dataRootOf, type SplitListing } from './split-listing.ts';

export interface EvaluationReport extends Evaluation {
  model: string;
  weights: string;
  data: string;
  /** Which split produced these figures (from split.json beside the split folders). */
  split: SplitProvenance | null;
  evaluated: string;
  skipped: { path: string; reason: string }[];
  /** Up to 50 wrong answers, to look at. */
  mistakes: { path: string; truth: string; predicted: string; p: number }[];
}

export async function evaluatePackage(
  pkg: ModelPackage,
  engine: Engine,
  listing: SplitListing,
  o: { skipBad: boolean; batch?: number; log?: NodeJS.WritableStream },
): Promise<EvaluationReport> {
  const files = listing.items.map((i) => i.path);
  const r = await classifyFiles(engine, files, { ...o, label: `evaluate ${path.basename(path.dirname(listing.dir))}` });
  const k = pkg.labels.length;
  const pred = argmaxRows(r.outputs, k);
  const truth = r.done.map((i) => listing.items[i].label);
  const e = evaluatePredictions(pkg.labels, truth, pred);
  const mistakes: EvaluationReport['mistakes'] = [];
  r.done.forEach((fi, i) => {
    if (pred[i] !== truth[i] && mistakes.length < 50) {
      mistakes.push({ path: files[fi], truth: pkg.labels[truth[i]], predicted: pkg.labels[pred[i]], p: r.outputs[i * k + pred[i]] });
    }
  });
  return {
    ...e,
    model: pkg.meta.name,
    weights: pkg.meta.weights,
    data: listing.dir,
    split: readSplitProvenance(dataRootOf(listing.dir)),
    evaluated: new Date().toISOString(),
    skipped: r.bad,
    mistakes,
  };
}

/** The report files, as bytes for a package or for writing beside one. */
export async function reportFiles(report: EvaluationReport, history?: TrainingHistory): Promise<Record<string, string | Uint8Array>> {
  const md =
    evaluationMarkdown(report, `Evaluation of ${report.model}`) +
    `\nData: \`${report.data}\`, ${describeSplit(report.split)}. Backbone weights: ${report.weights}.` +
    (report.skipped.length ? ` Skipped ${report.skipped.length} unreadable image(s).` : '') +
    '\n';
  const files: Record<string, string | Uint8Array> = {
    'evaluation.json': `${JSON.stringify(report, null, 2)}\n`,
    'evaluation.md': md,
    'confusion.png': await svgToPng(confusionSvg(report, `Confusion matrix (top-1 ${(100 * report.top1).toFixed(1)}%)`)),
  };
  if (history && history.loss.length > 0) files['curves.png'] = await svgToPng(curvesSvg(history));
  return files;
}

/** Writes files into an existing folder, each atomically (temp + rename). */
export async function writeFilesInto(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, data] of Object.entries(files)) {
    const target = path.join(dir, name);
    const tmp = `${target}.tmp-${process.pid}`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  }
}
