// tfjs and ONNX Runtime run the same description + weights: outputs must agree within 1e-4, for
// the stacked model and the backbone-only graph, through the package files both engines load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backboneLayers, featureShape, type HeadPool, headLayers, randomWeights } from '../engine/backbones.ts';
import { openEngine } from '../engine/open-engine.ts';
import type { Engine } from '../engine/engine.ts';
import { packageFiles } from '../engine/package-files.ts';
import { modelInput, readModelPackage, writeModelPackage } from '../engine/package.ts';
import { loadTfjs, readTfjsWeights } from '../engine/tfjs.ts';
import { loadTfjsModel } from '../engine/tfjs-io.ts';

const [H, W] = [36, 52];
const layersFor = (pool: HeadPool) => [...backboneLayers('tiny'), ...headLayers({ classes: 4, width: 16, depth: 2, pool })];
const layers = layersFor('flatten');

async function makePackage(pool: HeadPool = 'flatten'): Promise<string> {
  const layers = layersFor(pool);
  const weights = randomWeights(layers, [H, W, 3], 11);
  for (const w of weights.values()) w.bias.forEach((_, i) => (w.bias[i] = ((i % 3) - 1) * 0.1));
  // Shrink the last layer so the softmax is far from 0/1 and differences show.
  weights.get('dense_3')!.kernel.forEach((v, i, k) => (k[i] = v * 0.01));
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ss-')), 'parity');
  const meta = {
    name: 'parity',
    created: new Date().toISOString(),
    input: modelInput(H, W),
    preprocessing: 'caffe' as const,
    backbone: 'tiny' as const,
    weights: 'random(seed=11)',
    head: { width: 16, depth: 2, dropout: 0.2, pool },
    classes: 4,
  };
  await writeModelPackage(dir, await packageFiles({ meta, labels: ['a', 'b', 'c', 'd'], layers, weights }));
  return dir;
}

async function runBoth(a: Engine, b: Engine, n: number): Promise<[Float32Array, Float32Array]> {
  const input = new Uint8Array(n * H * W * 3);
  for (let i = 0; i < input.length; i++) input[i] = (i * 97 + (i >> 9) * 13) & 255;
  return [await a.run(input, n), await b.run(input, n)];
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('tfjs vs ONNX Runtime', () => {
  it('agree within 1e-4 on the stacked model and on backbone features', async () => {
    const pkg = await readModelPackage(await makePackage());
    const onnx = await openEngine(pkg, { engine: 'onnx', threads: 1 });
    const tfjs = await openEngine(pkg, { engine: 'tfjs' });
    expect(onnx.outputSize).toBe(4);
    expect(tfjs.outputSize).toBe(4);
    const [p, q] = await runBoth(onnx, tfjs, 3);
    expect(Math.max(...p)).toBeLessThan(0.9);
    expect(maxDiff(p, q)).toBeLessThan(1e-4);
    for (let n = 0; n < 3; n++) expect(p.subarray(n * 4, n * 4 + 4).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);

    const fo = await openEngine(pkg, { engine: 'onnx', threads: 1, graph: 'backbone' });
    const ft = await openEngine(pkg, { engine: 'tfjs', graph: 'backbone' });
    const size = featureShape('tiny', H, W).reduce((a, b) => a * b, 1);
    expect(fo.outputSize).toBe(size);
    expect(ft.outputSize).toBe(size);
    const [f, g] = await runBoth(fo, ft, 2);
    const scale = Math.max(1, ...f.map(Math.abs));
    expect(maxDiff(f, g) / scale).toBeLessThan(1e-4); // relative: features are raw activations
    expect(f.some((v) => v > 0)).toBe(true);
    await Promise.all([onnx, tfjs, fo, ft].map((e) => e.dispose()));
  });

  it('agree within 1e-4 with a global average or max pooling head, which give different outputs', async () => {
    const out: Float32Array[] = [];
    for (const pool of ['gap', 'max'] as const) {
      const pkg = await readModelPackage(await makePackage(pool));
      const onnx = await openEngine(pkg, { engine: 'onnx', threads: 1 });
      const tfjs = await openEngine(pkg, { engine: 'tfjs' });
      const [p, q] = await runBoth(onnx, tfjs, 3);
      expect(maxDiff(p, q)).toBeLessThan(1e-4);
      out.push(p);
      await Promise.all([onnx, tfjs].map((e) => e.dispose()));
    }
    expect(maxDiff(out[0]!, out[1]!)).toBeGreaterThan(1e-3);
  });

  it('reads trained weights back out of the saved tfjs model unchanged', async () => {
    const dir = await makePackage();
    const { tf } = await loadTfjs();
    const model = await loadTfjsModel(tf, dir);
    const back = readTfjsWeights(model, layers);
    const again = randomWeights(layers, [H, W, 3], 11);
    expect(back.get('block3_conv1')!.kernel).toEqual(again.get('block3_conv1')!.kernel);
    expect(back.get('dense_1')!.kernelShape).toEqual([featureShape('tiny', H, W).reduce((a, b) => a * b, 1), 16]);
    model.dispose();
  });
});
