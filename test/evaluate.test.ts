// Evaluation: metrics by hand, the report files, and `smashsight evaluate` on a model package.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { evaluatePredictions } from '../training/metrics.ts';
import { reportFiles } from '../training/evaluation.ts';
import type { EvaluationReport } from '../training/evaluation.ts';
import { emptyHistory, recordEpoch } from '../training/callbacks.ts';
import { imageSplit, randomPackage } from './helpers/training-fixtures.ts';

describe('metrics', () => {
  it('computes top-1, both confusion matrices and per-class figures', () => {
    // truth: a a a b b c ; pred: a a b b c c
    const e = evaluatePredictions(['a', 'b', 'c'], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
    expect(e.top1).toBeCloseTo(4 / 6);
    expect(e.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(e.normalized[0]).toEqual([2 / 3, 1 / 3, 0]);
    const b = e.perClass[1];
    expect(b.precision).toBeCloseTo(1 / 2);
    expect(b.recall).toBeCloseTo(1 / 2);
    expect(b.f1).toBeCloseTo(1 / 2);
    expect(e.perClass[2]).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(e.perClass[2].f1).toBeCloseTo(2 / 3);
  });

  it('renders the confusion matrix and the curves as PNGs, and the report as JSON + Markdown', async () => {
    const e = evaluatePredictions(['fox', 'marth'], [0, 0, 1, 1], [0, 1, 1, 1]);
    const report: EvaluationReport = { ...e, model: 'm', weights: 'random(seed=1)', data: 'd', split: null, evaluated: '', skipped: [], mistakes: [] };
    const h = emptyHistory();
    recordEpoch(h, { loss: 1, acc: 0.5, valLoss: 1.1, valAcc: 0.4, lr: 1e-4, seconds: 1 }, 'head');
    recordEpoch(h, { loss: 0.5, acc: 0.8, valLoss: 0.6, valAcc: 0.7, lr: 1e-4, seconds: 1 }, 'head');
    const files = await reportFiles(report, h);
    expect(Object.keys(files).sort()).toEqual(['confusion.png', 'curves.png', 'evaluation.json', 'evaluation.md']);
    for (const png of ['confusion.png', 'curves.png']) {
      const meta = await sharp(Buffer.from(files[png] as Uint8Array)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(300);
    }
    // The cell of a perfect class is dark blue; the empty cell is near white.
    const md = String(files['evaluation.md']);
    expect(md).toContain('Top-1 accuracy: **75.0%** (3/4)');
    expect(md).toContain('| fox | 1 | 1 |');
    expect(JSON.parse(String(files['evaluation.json'])).confusion).toEqual([
      [1, 1],
      [0, 2],
    ]);
  });
});

describe('smashsight evaluate', () => {
  it('writes evaluation.json/.md and confusion.png into the model folder, consistent with each other', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    const classes = ['fox', 'marth', 'peach'];
    const model = path.join(root, 'models', 'm');
    await randomPackage(model, classes);
    await imageSplit(path.join(root, 'data'), 'test', classes, 4);
    const r = spawnSync(process.execPath, [CLI, 'evaluate', '--model', model, '--data', path.join(root, 'data'), '--threads', '1'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(model, 'evaluation.json'), 'utf8')) as EvaluationReport;
    expect(report.total).toBe(12);
    expect(report.classes).toEqual(classes);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(report.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([4, 4, 4]);
    expect(report.correct).toBe(report.confusion.reduce((a, row, i) => a + row[i], 0));
    expect(r.stdout).toContain(`Top-1 accuracy: **${(100 * report.top1).toFixed(1)}%**`);
    expect(fs.existsSync(path.join(model, 'evaluation.md'))).toBe(true);
    expect((await sharp(path.join(model, 'confusion.png')).metadata()).format).toBe('png');
  });

  it('fails with one line naming the folder for a split with no images', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    const model = path.join(root, 'm');
    await randomPackage(model, ['fox']);
    fs.mkdirSync(path.join(root, 'data', 'test', 'images'), { recursive: true });
    const r = spawnSync(process.execPath, [CLI, 'evaluate', '--model', model, '--data', path.join(root, 'data')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`smashsight: ${path.join(root, 'data', 'test', 'images')}: split has no images (expected <class>/*.jpg folders)`);
  });
});
