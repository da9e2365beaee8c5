// Keras .h5 import on files written here in both Keras layouts: weights land in the right layers
// (kernels HWIO), and the imported package's ONNX output matches a plain-JS reference forward pass.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backboneLayers, headLayers, randomWeights } from '../engine/backbones.ts';
import { openEngine } from '../engine/open-engine.ts';
import { importKeras } from '../engine/import-keras.ts';
import { readKerasH5 } from '../engine/keras-h5.ts';
import type { LayerSpec, WeightSet } from '../engine/layers.ts';
import { readModelPackage } from '../engine/package.ts';
import { writeKerasModelH5, writeNotopH5 } from './helpers/keras-h5.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));

/** Reference forward pass written straight from Keras semantics: HWIO kernels, HWC flatten. */
function reference(layers: LayerSpec[], weights: WeightSet, rgb: Uint8Array, h0: number, w0: number): Float64Array {
  const mean = [103.939, 116.779, 123.68];
  let [h, w, c] = [h0, w0, 3];
  let x = new Float64Array(h * w * 3);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < 3; k++) x[p * 3 + k] = rgb[p * 3 + (2 - k)]! - mean[k]!;
  for (const l of layers) {
    if (l.type === 'conv2d') {
      const { kernel, bias } = weights.get(l.name)!;
      const r = Math.floor(l.kernel / 2);
      const y = new Float64Array(h * w * l.filters);
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let o = 0; o < l.filters; o++) {
            let s = bias[o]!;
            for (let di = 0; di < l.kernel; di++)
              for (let dj = 0; dj < l.kernel; dj++) {
                const [ii, jj] = [i + di - r, j + dj - r];
                if (ii < 0 || jj < 0 || ii >= h || jj >= w) continue;
                for (let k = 0; k < c; k++) s += x[(ii * w + jj) * c + k]! * kernel[((di * l.kernel + dj) * c + k) * l.filters + o]!;
              }
            y[(i * w + j) * l.filters + o] = Math.max(0, s);
          }
      [x, c] = [y, l.filters];
    } else if (l.type === 'maxpool') {
      const [h2, w2] = [Math.floor(h / 2), Math.floor(w / 2)];
      const y = new Float64Array(h2 * w2 * c);
      for (let i = 0; i < h2; i++)
        for (let j = 0; j < w2; j++)
          for (let k = 0; k < c; k++) {
            const at = (a: number, b: number): number => x[((2 * i + a) * w + 2 * j + b) * c + k]!;
            y[(i * w2 + j) * c + k] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
          }
      [x, h, w] = [y, h2, w2];
    } else if (l.type === 'dense') {
      const { kernel, bias } = weights.get(l.name)!;
      const y = new Float64Array(l.units);
      for (let o = 0; o < l.units; o++) {
        let s = bias[o]!;
        for (let k = 0; k < x.length; k++) s += x[k]! * kernel[k * l.units + o]!;
        y[o] = s;
      }
      if (l.activation === 'relu') y.forEach((v, i) => (y[i] = Math.max(0, v)));
      else {
        const m = Math.max(...y);
        const e = y.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((v, i) => (y[i] = v / z));
      }
      x = y;
    }
  }
  return x;
}

async function tinyNotop(name: string): Promise<{ dir: string; file: string }> {
  const dir = tmp();
  const layers = backboneLayers('tiny');
  const file = path.join(dir, name);
  await writeNotopH5(file, layers, randomWeights(layers, [32, 32, 3], 1));
  return { dir, file };
}

function frames(n: number, h: number, w: number, seed: number): Uint8Array {
  const f = new Uint8Array(n * h * w * 3);
  for (let i = 0; i < f.length; i++) f[i] = (i * 131 + seed * 17 + ((i * i) >> 7)) & 255;
  return f;
}

/** Small random weights with non-zero biases, scaled so the softmax is not saturated. */
function weightsFor(layers: LayerSpec[], h: number, w: number, seed: number, scale: number): WeightSet {
  const ws = randomWeights(layers, [h, w, 3], seed);
  for (const v of ws.values()) {
    v.kernel.forEach((x, i) => (v.kernel[i] = x * scale));
    v.bias.forEach((_, i) => (v.bias[i] = ((i % 5) - 2) * 0.05));
  }
  return ws;
}

describe('Keras full model .h5 (model_config + model_weights)', () => {
  it('imports into a package whose ONNX output matches the reference forward pass', async () => {
    const dir = tmp();
    const [H, W] = [32, 48]; // non-square: a wrong flatten order or kernel layout changes the output
    const layers = [...backboneLayers('tiny'), ...headLayers({ classes: 3, width: 8, depth: 1, dropout: 0.3 })];
    const weights = weightsFor(layers, H, W, 5, 0.02);
    const file = path.join(dir, '2018-01-01-00-00-model.h5');
    await writeKerasModelH5(file, layers, weights, [H, W], { splitLayerNames: true });

    const k = await readKerasH5(file);
    expect(k.kind).toBe('model');
    expect(k.backbone).toBe('tiny');
    expect(k.inputSize).toEqual({ height: H, width: W });
    expect(k.layers.map((l) => l.name)).toEqual(layers.map((l) => l.name));
    expect(k.weights.get('block2_conv1')!.kernelShape).toEqual([3, 3, 16, 32]); // HWIO
    expect(k.weights.get('block2_conv1')!.kernel).toEqual(weights.get('block2_conv1')!.kernel);
    expect(k.weights.get('dense_2')!.bias).toEqual(weights.get('dense_2')!.bias);

    const pkgDir = await importKeras(file, { out: path.join(dir, 'models'), name: 'imported', labels: 'fox,falco,marth' });
    const pkg = await readModelPackage(pkgDir);
    expect(pkg.labels).toEqual(['fox', 'falco', 'marth']);
    expect(pkg.meta.head).toEqual({ width: 8, depth: 1, dropout: 0.3 });
    const engine = await openEngine(pkg, { threads: 1 });
    const input = frames(2, H, W, 1);
    const out = await engine.run(input, 2);
    await engine.dispose();
    const frame = H * W * 3;
    for (let n = 0; n < 2; n++) {
      const want = reference(layers, weights, input.subarray(n * frame, (n + 1) * frame), H, W);
      expect(Math.max(...want)).toBeLessThan(0.99); // not saturated: the comparison means something
      for (let i = 0; i < 3; i++) expect(out[n * 3 + i]).toBeCloseTo(want[i]!, 5);
    }
  });

  it('rejects a model whose head does not fit the backbone output, naming the layer', async () => {
    const dir = tmp();
    const layers = [...backboneLayers('tiny'), ...headLayers({ classes: 2, width: 4, depth: 1 })];
    const weights = weightsFor(layers, 32, 32, 2, 1);
    const file = path.join(dir, 'm.h5');
    await writeKerasModelH5(file, layers, weights, [48, 48]); // saved weights are for 32x32
    await expect(importKeras(file, { out: path.join(dir, 'models') })).rejects.toThrow(
      /m\.h5: layer dense_1: kernel shape \(256,4\) does not match expected \(576,4\)/,
    );
    expect(fs.existsSync(path.join(dir, 'models'))).toBe(false);
  });
});

describe('models import-keras never writes over or outside --out', () => {
  it('refuses a name that is taken, and a --name that escapes --out, before writing anything', async () => {
    const { dir, file } = await tinyNotop('tiny_notop.h5');
    const out = path.join(dir, 'models');
    const first = await importKeras(file, { out, name: 'mine' });
    const meta = fs.readFileSync(path.join(first, 'backbone.onnx'));
    fs.writeFileSync(path.join(first, 'trained-here.txt'), 'a package someone made');
    await expect(importKeras(file, { out, name: 'mine' })).rejects.toThrow(/models\/mine: already exists; choose another --name/);
    await expect(importKeras(file, { out })).resolves.toBe(path.join(out, 'tiny_notop'));
    await expect(importKeras(file, { out })).rejects.toThrow(/tiny_notop: already exists/); // the default name too
    expect(fs.readFileSync(path.join(first, 'backbone.onnx')).equals(meta)).toBe(true);
    expect(fs.existsSync(path.join(first, 'trained-here.txt'))).toBe(true);

    const before = fs.readdirSync(dir).sort();
    for (const name of ['../..', '..', '../escaped', 'a/b', '/tmp/abs', '.', '.hidden']) {
      await expect(importKeras(file, { out, name })).rejects.toThrow(/--name '.*': a folder name/);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    expect(fs.readdirSync(out).sort()).toEqual(['mine', 'tiny_notop']);

    // through the CLI: one line, exit 1
    const cliPath = path.resolve('bin/smashsight.js');
    const r = spawnSync(process.execPath, [cliPath, 'models', 'import-keras', file, '--out', out, '--name', '../..'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^smashsight: --name '\.\.\/\.\.': a folder name [^\n]*$/);
  });
});

describe('VGG16 notop weights .h5', () => {
  it('reads a full-size VGG16 notop file into an imported backbone usable as --weights', async () => {
    const dir = tmp();
    const layers = backboneLayers('vgg16');
    const weights = randomWeights(layers, [32, 32, 3], 3);
    const file = path.join(dir, 'my_vgg16_notop.h5');
    await writeNotopH5(file, layers, weights, { legacyNames: true });
    const k = await readKerasH5(file);
    expect(k.kind).toBe('notop');
    expect(k.backbone).toBe('vgg16');
    expect(k.weights.get('block5_conv3')!.kernelShape).toEqual([3, 3, 512, 512]);
    expect(k.weights.get('block3_conv1')!.kernel.subarray(0, 50)).toEqual(weights.get('block3_conv1')!.kernel.subarray(0, 50));

    const out = await importKeras(file, { out: path.join(dir, 'models'), size: { height: 32, width: 32 } });
    const { loadBackboneWeights } = await import('../engine/backbone-weights.ts');
    const back = await loadBackboneWeights(out, 'vgg16');
    expect(back.description).toMatch(/^keras-h5:my_vgg16_notop\.h5 \(md5 [0-9a-f]{32}\)$/);
    expect(back.weights.get('block1_conv2')!.kernel).toEqual(weights.get('block1_conv2')!.kernel);
    expect(fs.existsSync(path.join(out, 'backbone.onnx'))).toBe(true);
    await expect(loadBackboneWeights(out, 'tiny')).rejects.toThrow(/holds vgg16 weights, but the backbone is tiny/);
  });

  it('rejects a file whose shapes do not match VGG16, writing nothing', async () => {
    const dir = tmp();
    const wrong = backboneLayers('vgg16').map((l) => (l.type === 'conv2d' ? { ...l, filters: 2 } : l));
    const file = path.join(dir, 'bad.h5');
    await writeNotopH5(file, wrong, randomWeights(wrong, [32, 32, 3], 1));
    await expect(importKeras(file, { out: path.join(dir, 'models') })).rejects.toThrow(
      /bad\.h5: does not match VGG16: layer block1_conv1: kernel shape \(3,3,3,2\) does not match expected \(3,3,3,64\)/,
    );
    expect(fs.existsSync(path.join(dir, 'models'))).toBe(false);
  });

  it('rejects a truncated file with one line naming it, writing nothing', async () => {
    const { dir, file } = await tinyNotop('cut.h5');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const err = await importKeras(file, { out: path.join(dir, 'models') }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('UserError');
    expect((err as Error).message).toMatch(/cut\.h5: unreadable HDF5 \(truncated file/);
    expect((err as Error).message).not.toContain('\n');
    expect(fs.existsSync(path.join(dir, 'models'))).toBe(false);
  });

  it('rejects the ImageNet file name with the wrong md5', async () => {
    const { file } = await tinyNotop('vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
    await expect(readKerasH5(file)).rejects.toThrow(/md5 [0-9a-f]{32} is not the published 6d6bbae143d832006294945121d1f1fc/);
  });
});
