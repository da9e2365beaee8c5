// int8: `models quantize` adds a QDQ graph that ONNX Runtime really runs on integer kernels, whose
// outputs follow the float graph's; `--precision` picks it; a bad request is one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { choosePrecision } from '../engine/open-engine.ts';
import type { ModelPackage } from '../engine/package.ts';
import { activationParams, decodeModel, quantizedTensors } from '../engine/quantize.ts';
import { hasVnni } from '../kit/cpu.ts';
import { decodeImage } from '../training/image-input.ts';
import { int8Refusal, sampleFiles } from '../training/quantize-command.ts';
import { listSplit } from '../training/split-listing.ts';
import { cli } from './helpers/cli.ts';
import { imageSplit, randomPackage } from './helpers/training-fixtures.ts';

const CLASSES = ['fox', 'marth', 'peach'];

async function packageWithData(): Promise<{ root: string; model: string; data: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-q-'));
  const model = path.join(root, 'models', 'm');
  const data = path.join(root, 'data');
  await randomPackage(model, CLASSES);
  await imageSplit(data, 'train', CLASSES, 6);
  await imageSplit(data, 'test', CLASSES, 4);
  return { root, model, data };
}

/** Op types of the graph ONNX Runtime actually runs after its optimisations. */
async function optimizedOps(file: string, dir: string): Promise<string[]> {
  const out = path.join(dir, 'optimized.onnx');
  const s = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: out,
  });
  await s.release();
  return onnxProto.onnx.ModelProto.decode(fs.readFileSync(out)).graph!.node!.map((n) => n.opType!);
}

async function outputs(file: string, frames: Uint8Array, n: number, h: number, w: number, level: 'all' | 'disabled' = 'all'): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: level });
  const r = await s.run({ frames: new ort.Tensor('uint8', frames, [n, h, w, 3]) });
  await s.release();
  return r.output!.data as Float32Array;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('models quantize', () => {
  it('adds model.int8.onnx (integer kernels, outputs close to fp32) and records calibration and both top-1 figures in meta.json', async () => {
    const { root, model, data } = await packageWithData();
    const r = cli(['models', 'quantize', model, '--data', data, '--samples', '18', '--threads', '1']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const int8File = path.join(model, 'model.int8.onnx');
    expect(fs.existsSync(int8File)).toBe(true);
    expect(fs.readdirSync(model).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const meta = JSON.parse(fs.readFileSync(path.join(model, 'meta.json'), 'utf8'));
    expect(meta.int8.file).toBe('model.int8.onnx');
    expect(meta.int8.calibration).toEqual({ split: path.join(data, 'train', 'images'), frames: 18, seed: 1 });
    expect(meta.int8.top1.split).toBe(path.join(data, 'test', 'images'));
    expect(meta.int8.top1.fp32 - meta.int8.top1.int8).toBeLessThanOrEqual(0.005);
    expect(r.stderr).toMatch(/top-1 on .*: fp32 \d+\.\d\d%, int8 \d+\.\d\d% \(12 frames\)/);

    // ONNX Runtime fuses the QDQ pairs: convolutions and the dense layers run in 8 bits.
    const ops = await optimizedOps(int8File, root);
    expect(ops).toContain('QLinearConv');
    expect(ops.filter((o) => o === 'Conv')).toEqual([]);

    // The test frames (their colours are among the 18 calibrated ones) through both graphs: the same
    // top class, probabilities within a tenth (this untrained model's logits are large, so softmax
    // magnifies the 8-bit rounding).
    const { height, width } = meta.input;
    const test = await listSplit(path.join(data, 'test', 'images'), CLASSES);
    const n = test.items.length;
    const frames = Buffer.concat(await Promise.all(test.items.map((i) => decodeImage(i.path, width, height))));
    const fp32 = await outputs(path.join(model, 'model.onnx'), frames, n, height, width);
    const int8 = await outputs(int8File, frames, n, height, width);
    const argmax = (p: Float32Array, i: number): number => [0, 1, 2].reduce((b, k) => (p[i * 3 + k]! > p[i * 3 + b]! ? k : b), 0);
    expect(Array.from({ length: n }, (_, i) => argmax(int8, i))).toEqual(Array.from({ length: n }, (_, i) => argmax(fp32, i)));
    expect(maxDiff(fp32, int8)).toBeLessThan(0.1);
    // The integer kernels compute what the QDQ graph means: the same graph run in float (no fusion)
    // agrees closely. (Full-range int8 weights broke this on AVX2 by saturating int16 sums.)
    const simulated = await outputs(int8File, frames, n, height, width, 'disabled');
    expect(maxDiff(simulated, int8)).toBeLessThan(0.01);

    // evaluate runs the int8 graph when asked, and says so.
    const e = cli(['evaluate', '--model', model, '--data', data, '--precision', 'int8', '--threads', '1', '--out', path.join(root, 'eval')]);
    expect(e.status).toBe(0);
    expect(e.stderr).toContain(`precision: int8 (${int8File})`);
  });

  it('refuses --precision int8 for a package without an int8 graph, in one line naming the package', async () => {
    const { model, data } = await packageWithData();
    const e = cli(['evaluate', '--model', model, '--data', data, '--precision', 'int8', '--threads', '1']);
    expect(e.status).not.toBe(0);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(e.stderr).toContain(`--precision int8: ${model} has no int8 graph`);
  });

  it('leaves the package as it was when the data has no train split', async () => {
    const { root, model } = await packageWithData();
    const before = fs.readFileSync(path.join(model, 'meta.json'), 'utf8');
    const r = cli(['models', 'quantize', model, '--data', path.join(root, 'nowhere'), '--threads', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nowhere.*train.*split folder not found/);
    expect(fs.readFileSync(path.join(model, 'meta.json'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(model, 'model.int8.onnx'))).toBe(false);
  });
});

describe('int8 pieces', () => {
  it('refuses int8 only past the allowed drop in top-1 points', () => {
    expect(int8Refusal(0.9, 0.9, 0.5)).toBeNull();
    expect(int8Refusal(0.9, 0.896, 0.5)).toBeNull(); // 0.4 points
    expect(int8Refusal(0.9, 0.894, 0.5)).toMatch(/int8 top-1 89\.40% is 0\.60 points below fp32's 90\.00% \(allowed: 0\.5/);
    expect(int8Refusal(0.5, 0.6, 0)).toBeNull(); // better is fine
  });

  it('maps 0 exactly and covers the calibrated range in uint8', () => {
    const p = activationParams({ min: 0, max: 25.5 });
    expect(p).toEqual({ scale: 0.1, zeroPoint: 0 });
    const q = activationParams({ min: -12.75, max: 12.75 });
    expect(q.zeroPoint).toBe(128);
    expect(Math.abs(-q.zeroPoint * q.scale + 12.75)).toBeLessThanOrEqual(q.scale); // within one step
    expect(Math.abs((255 - q.zeroPoint) * q.scale - 12.75)).toBeLessThanOrEqual(q.scale);
  });

  it('samples calibration frames with the seed: same seed same frames, another seed others', async () => {
    const { data, model } = await packageWithData();
    const listing = await listSplit(path.join(data, 'train', 'images'), CLASSES);
    expect(sampleFiles(listing, 5, 1)).toEqual(sampleFiles(listing, 5, 1));
    expect(sampleFiles(listing, 5, 1)).not.toEqual(sampleFiles(listing, 5, 2));
    expect(new Set(sampleFiles(listing, 100, 1)).size).toBe(18);
    // Every input of a conv, dense and pool layer is measured; the frames input is not (it is uint8 already).
    const names = quantizedTensors(decodeModel(fs.readFileSync(path.join(model, 'model.onnx'))));
    expect(names.length).toBeGreaterThan(2);
    expect(names).not.toContain('frames');
  });
});

describe('which graph runs (--precision)', () => {
  const pkg = (int8: boolean): ModelPackage => ({
    dir: '/pkgs/m',
    meta: {} as ModelPackage['meta'],
    labels: [],
    onnxPath: '/pkgs/m/model.onnx',
    backboneOnnxPath: '/pkgs/m/backbone.onnx',
    int8Path: int8 ? '/pkgs/m/model.int8.onnx' : undefined,
  });

  it('runs int8 by default only where the package has it and the CPU has VNNI; fp32 and int8 when asked', () => {
    expect(choosePrecision(pkg(true), 'auto', 'onnx')).toBe(hasVnni() ? 'int8' : 'fp32');
    expect(choosePrecision(pkg(false), 'auto', 'onnx')).toBe('fp32');
    expect(choosePrecision(pkg(true), 'auto', 'tfjs')).toBe('fp32');
    expect(choosePrecision(pkg(true), 'fp32', 'onnx')).toBe('fp32');
    expect(choosePrecision(pkg(true), 'int8', 'onnx')).toBe('int8');
  });

  it('refuses int8 where it cannot run, saying what to do', () => {
    expect(() => choosePrecision(pkg(false), 'int8', 'onnx')).toThrow(/has no int8 graph \(make one with `smashsight models quantize \/pkgs\/m/);
    expect(() => choosePrecision(pkg(true), 'int8', 'tfjs')).toThrow(/only the onnx engine runs int8/);
  });
});
