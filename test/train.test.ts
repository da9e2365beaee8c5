// The whole training path on synthetic gameplay: synth → split → train (tiny backbone, random
// frozen weights) → package → evaluate, and every bad input the train command must refuse cleanly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, quickTrainArgs, trainOutputArgs } from './helpers/cli.ts';
import type { CliResult } from './helpers/cli.ts';
import { imageSplit } from './helpers/training-fixtures.ts';
import { backboneLayers, randomWeights } from '../engine/backbones.ts';
import { loadTfjs, readTfjsWeights } from '../engine/tfjs.ts';
import { loadTfjsModel } from '../engine/tfjs-io.ts';

/** A quick train run: tiny sizes, one epoch; the point is what it refuses. */
function quickTrain(root: string, extra: string[] = []): CliResult {
  const args = quickTrainArgs({ data: path.join(root, 'data'), out: path.join(root, 'models'), cache: path.join(root, 'cache'), name: 'quick' });
  return cli([...args, ...extra]);
}

function cacheManifests(root: string): { complete: boolean; skipped: { path: string }[] }[] {
  const dir = path.join(root, 'cache');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((k) => JSON.parse(fs.readFileSync(path.join(dir, k, 'manifest.json'), 'utf8')));
}

function packages(root: string): string[] {
  const dir = path.join(root, 'models');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

describe('train refuses bad input with one line, exit != 0, and no package', () => {
  let base: string;
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    for (const split of ['train', 'valid', 'test']) await imageSplit(path.join(base, 'data'), split, ['fox', 'marth'], split === 'train' ? 12 : 3);
  });

  function copyBase(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    fs.cpSync(path.join(base, 'data'), path.join(root, 'data'), { recursive: true });
    return root;
  }

  it('an empty class folder', () => {
    const root = copyBase();
    const empty = path.join(root, 'data', 'train', 'images', 'peach');
    fs.mkdirSync(empty);
    const r = quickTrain(root);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`smashsight: ${empty}: empty class folder (no .jpg/.png images)`);
    expect(packages(root)).toEqual([]);
  });

  it('a split with no images', () => {
    const root = copyBase();
    const valid = path.join(root, 'data', 'valid', 'images');
    fs.rmSync(valid, { recursive: true });
    fs.mkdirSync(valid);
    const r = quickTrain(root);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`smashsight: ${valid}: split has no images (expected <class>/*.jpg folders)`);
    expect(packages(root)).toEqual([]);
  });

  it('a corrupt JPEG in the middle of extraction: stops, names it, no complete cache entry', () => {
    const root = copyBase();
    const bad = path.join(root, 'data', 'train', 'images', 'marth', 'marth_default_battlefield_left_bg_on_005.jpg');
    const bytes = fs.readFileSync(bad);
    fs.writeFileSync(bad, bytes.subarray(0, bytes.length >> 1));
    const r = quickTrain(root, ['--extract-batch', '4']);
    expect(r.status).not.toBe(0);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(new RegExp(`^smashsight: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot decode image .*--skip-bad`));
    expect(packages(root)).toEqual([]);
    const manifests = cacheManifests(root);
    expect(manifests.length).toBe(1);
    expect(manifests[0].complete).toBe(false);
  });

  it('a badly named JPEG: stops before any work, naming it; with --skip-bad it is left out and said so', () => {
    const root = copyBase();
    const bad = path.join(root, 'data', 'train', 'images', 'marth', 'marth-frame-7.jpg');
    fs.copyFileSync(path.join(root, 'data', 'train', 'images', 'marth', 'marth_default_battlefield_left_bg_on_005.jpg'), bad);
    const r = quickTrain(root);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      `smashsight: ${bad}: name does not match <character>_<color>_<stage>_<orientation>_bg_on_<NNN>.jpg (or --skip-bad to leave such files out)`,
    );
    expect(packages(root)).toEqual([]);
    expect(cacheManifests(root)).toEqual([]);
    const s = quickTrain(root, ['--skip-bad']);
    expect(s.status).toBe(0);
    expect(s.stderr).toContain(`skipping ${bad}: not named`);
    expect(packages(root)).toHaveLength(1);
  });

  it('the same JPEG with --skip-bad: reported, skipped, and the package is made', () => {
    const root = copyBase();
    const bad = path.join(root, 'data', 'train', 'images', 'marth', 'marth_default_battlefield_left_bg_on_005.jpg');
    fs.writeFileSync(bad, Buffer.from('garbage, not a JPEG'));
    const r = quickTrain(root, ['--skip-bad']);
    expect(r.stderr).toContain(`skipping ${bad}: `);
    expect(r.status).toBe(0);
    expect(packages(root)).toHaveLength(1);
    const train = cacheManifests(root).find((m) => m.skipped.length > 0)!;
    expect(train.skipped.map((s) => s.path)).toEqual([bad]);
  });
});

describe('train --fine-tune', () => {
  it('unfreezes the last blocks and trains end to end on a tiny run', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    for (const split of ['train', 'valid', 'test']) await imageSplit(path.join(root, 'data'), split, ['fox', 'marth'], split === 'train' ? 8 : 2);
    const r = quickTrain(root, ['--fine-tune', '2', '--fine-tune-epochs', '1']);
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('fine-tuning from block3_conv1 on');
    const [pkg] = packages(root);
    const history = JSON.parse(fs.readFileSync(path.join(root, 'models', pkg, 'history.json'), 'utf8')) as { stage: string[] };
    expect(history.stage).toEqual(['head', 'fine-tune']);
    // The package carries the fine-tuned backbone: unfrozen blocks moved, frozen ones did not.
    const { tf } = await loadTfjs();
    const model = await loadTfjsModel(tf, path.join(root, 'models', pkg));
    const layers = backboneLayers('tiny');
    const trained = readTfjsWeights(model, layers);
    const initial = randomWeights(layers, [32, 32, 3], 1);
    expect(Array.from(trained.get('block1_conv1')!.kernel)).toEqual(Array.from(initial.get('block1_conv1')!.kernel));
    expect(Array.from(trained.get('block4_conv1')!.kernel)).not.toEqual(Array.from(initial.get('block4_conv1')!.kernel));
  });

  it('refuses more blocks than the backbone has, before any work', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    const r = quickTrain(root, ['--fine-tune', '9']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe('smashsight: --fine-tune 9: must be a whole number from 1 to 4 (conv blocks in this backbone)');
  });
});

describe('full run on synthetic gameplay', () => {
  // 8 characters x 4 costumes x 4 stages x 2 facings x 32 frames = 8192 frames at 320x240, split
  // 70/15/15; the model sees 128x96 (a multiple of 16, so the HUD row survives the four pools).
  // Tiny backbone with random frozen weights (nothing else exists here) + a softmax head: every
  // step is seeded, so this is the same run each time (measured: test top-1 ~0.92).
  it('synth → split → train → package → evaluate reaches >= 90% top-1 on the held-out split', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    const data = path.join(root, 'data');
    const ok = (r: CliResult): void => {
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.status).toBe(0);
    };
    ok(cli(['synth', '--out', data, '--seed', '1', '--frames-per-combo', '32', '--size', '320x240']));
    ok(
      cli([
        'split',
        '--in',
        path.join(data, 'images'),
        '--out',
        path.join(data, 'keras'),
        '--seed',
        '1',
        '--train',
        '70',
        '--valid',
        '15',
        '--test',
        '15',
        '--no-check-jpeg',
      ]),
    );
    const t = cli([
      'train',
      '--data',
      path.join(data, 'keras'),
      '--backbone',
      'tiny',
      '--weights',
      'random:1',
      '--size',
      '128x96',
      '--depth',
      '0',
      '--lr',
      '1e-3',
      '--epochs',
      '30',
      ...trainOutputArgs(root, 'synth'),
    ]);
    ok(t);
    expect(t.stderr).toMatch(/^peak memory: \d+ MB resident$/m);
    expect(t.stderr).toMatch(/^Epoch 1\/30 - loss \d+\.\d{4} - acc \d\.\d{4} - val_loss \d+\.\d{4} - val_acc \d\.\d{4} - lr 1e-3 - \d+\.\ds$/m);
    const dir = t.stdout.trim();
    expect(path.basename(dir)).toMatch(/^\d{4}-\d\d-\d\d-\d\d-\d\d-synth$/);
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual([
      'backbone.onnx',
      'confusion.png',
      'curves.png',
      'evaluation.json',
      'evaluation.md',
      'history.json',
      'labels.json',
      'meta.json',
      'model.json',
      'model.onnx',
      'weights.bin',
    ]);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ backbone: 'tiny', weights: 'random(seed=1)', classes: 8, input: { width: 128, height: 96 } });
    expect(Object.values(meta.dataset.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(8192);
    expect(meta.dataset.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.split).toEqual({ by: 'random', seed: 1, percent: { train: 70, valid: 15, test: 15 } });
    expect(fs.readFileSync(path.join(dir, 'evaluation.md'), 'utf8')).toMatch(/random split \(seed 1, 70\/15\/15\)/);

    // Evaluate the package again through the CLI: the stacked model.onnx on the test frames.
    const e = cli(['evaluate', '--model', dir, '--data', path.join(data, 'keras'), '--split', 'test']);
    ok(e);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'evaluation.json'), 'utf8'));
    expect(report.total).toBe(1229); // 15% of 8192 frames, rounded over the whole split (issue 11 §8: it was 153 per class, 1224)
    expect(report.top1).toBeGreaterThanOrEqual(0.9);
    expect(report.top1).toBeCloseTo(meta.metrics.top1, 6); // train's own evaluation measured the same package
    fs.rmSync(root, { recursive: true, force: true }); // ~8k frames + features: not worth keeping
  }, 900_000);
});
