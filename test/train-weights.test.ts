// `train --weights` goes through the one resolver in models/ (loadBackboneWeights): a VGG16 notop
// .h5 imported with `models import-keras` trains from its folder, and the package carries exactly
// those frozen weights. 32x32 input, 16 images, one epoch: the VGG16 run takes seconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, quickTrainArgs } from './helpers/cli.ts';
import { loadBackboneWeights } from '../engine/backbone-weights.ts';
import { backboneLayers, headLayers, randomWeights } from '../engine/backbones.ts';
import type { BackboneName } from '../engine/backbones.ts';
import type { WeightSet } from '../engine/layers.ts';
import { writeNotopH5 } from './helpers/keras-h5.ts';
import { imageSplit } from './helpers/training-fixtures.ts';

/** A quick train run writing under `<root>/<run>/`: tiny sizes, one epoch. */
function trainArgs(root: string, run: string, weights: string, backbone = 'tiny'): string[] {
  return quickTrainArgs({
    data: path.join(root, 'data'),
    out: path.join(root, run, 'models'),
    cache: path.join(root, run, 'cache'),
    name: 'from-h5',
    weights,
    backbone,
  });
}

const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every conv layer's kernel and bias, bit for bit (Buffer compare: VGG16 has 14.7M values). */
function expectSameWeights(backbone: BackboneName, got: WeightSet, want: WeightSet): void {
  for (const l of backboneLayers(backbone)) {
    if (l.type !== 'conv2d') continue;
    expect(bytes(got.get(l.name)!.kernel).equals(bytes(want.get(l.name)!.kernel)), `${l.name} kernel`).toBe(true);
    expect(bytes(got.get(l.name)!.bias).equals(bytes(want.get(l.name)!.bias)), `${l.name} bias`).toBe(true);
  }
}

/** Seeded random weights with non-zero biases (so biases are checked too). */
function fileWeights(backbone: BackboneName, seed: number): WeightSet {
  const w = randomWeights(backboneLayers(backbone), [32, 32, 3], seed);
  for (const l of w.values()) l.bias.forEach((_, i) => (l.bias[i] = 0.01 * (i + 1)));
  return w;
}

describe('train --weights', () => {
  let root: string;
  let h5: string;
  // Seed 5 (not the default 1) so a run that fell back to random:1 would not pass.
  const tiny = fileWeights('tiny', 5);

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    for (const split of ['train', 'valid', 'test']) await imageSplit(path.join(root, 'data'), split, ['fox', 'marth'], split === 'train' ? 6 : 2);
    h5 = path.join(root, 'tiny_notop.h5');
    await writeNotopH5(h5, backboneLayers('tiny'), tiny);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true })); // ~250 MB of VGG16 copies

  it('random[:seed] gives the seeded Keras-default weights whatever the input size', async () => {
    const bw = await loadBackboneWeights('random:7', 'tiny');
    expect(bw.description).toBe('random(seed=7)');
    expectSameWeights('tiny', bw.weights, randomWeights(backboneLayers('tiny'), [32, 48, 3], 7));
    expect((await loadBackboneWeights('random', 'tiny')).description).toBe('random(seed=1)');
  });

  it('trains VGG16 from the folder `models import-keras` writes, and the package holds those frozen weights', async () => {
    const vgg = fileWeights('vgg16', 5);
    const file = path.join(root, 'vgg16_notop.h5');
    await writeNotopH5(file, backboneLayers('vgg16'), vgg);
    const imp = cli(['models', 'import-keras', file, '--out', path.join(root, 'imported'), '--size', '32x32']);
    expect(imp.stderr).not.toMatch(/Error:/);
    expect(imp.status).toBe(0);
    const folder = imp.stdout.trim();
    expect(fs.existsSync(path.join(folder, 'backbone.json'))).toBe(true);

    fs.rmSync(file); // 59 MB; the folder holds the weights now
    const t = cli(trainArgs(root, 'ok', folder, 'vgg16'));
    expect(t.stderr).not.toMatch(/Error:/);
    expect(t.status).toBe(0);
    const pkg = t.stdout.trim();
    const meta = JSON.parse(fs.readFileSync(path.join(pkg, 'meta.json'), 'utf8')) as { weights: string; backbone: string };
    expect(meta.backbone).toBe('vgg16');
    expect(meta.weights).toMatch(/^keras-h5:vgg16_notop\.h5 \(md5 [0-9a-f]{32}\)$/);
    // The trained package is itself a --weights source: its backbone is the imported one.
    const back = await loadBackboneWeights(pkg, 'vgg16');
    expect(back.description).toBe(`${meta.weights}, from package ${path.basename(pkg)}`);
    expectSameWeights('vgg16', back.weights, vgg);
  });

  it('reads the .h5 file itself the same way', async () => {
    const bw = await loadBackboneWeights(h5, 'tiny');
    expect(bw.description).toMatch(/^keras-h5:tiny_notop\.h5 \(md5 [0-9a-f]{32}\)$/);
    expectSameWeights('tiny', bw.weights, tiny);
  });

  it('refuses weights of another backbone before any work, naming the flag', () => {
    const r = cli(trainArgs(root, 'refused', h5, 'vgg16'));
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n').pop()).toBe(`smashsight: --weights ${h5}: holds tiny weights, but the backbone is vgg16 (pass --backbone tiny)`);
    expect(fs.existsSync(path.join(root, 'refused'))).toBe(false);
  });
});

describe('random weights for --from-scratch (--init)', () => {
  const layers = [...backboneLayers('bn5'), ...headLayers({ classes: 4, width: 8, depth: 1, pool: 'gap' })];
  it('torch draws kernels and dense biases from U(±1/sqrt(fan_in)); keras keeps glorot kernels and zero biases', () => {
    const torch = randomWeights(layers, [48, 64, 3], 3, 'torch');
    const keras = randomWeights(layers, [48, 64, 3], 3);
    const conv2 = torch.get('block2_conv1')!; // 3x3x16 -> 32
    const bound = 1 / Math.sqrt(3 * 3 * 16);
    expect(Math.max(...conv2.kernel.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv2.kernel.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    expect(conv2.bias.every((b) => b === 0)).toBe(true); // batch norm's shift is the conv's bias
    const dense = torch.get('dense_1')!;
    expect(dense.bias.some((b) => b !== 0)).toBe(true);
    expect(Math.max(...dense.bias.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(256));
    const glorot = Math.sqrt(6 / (3 * 3 * 16 + 3 * 3 * 32));
    expect(Math.max(...keras.get('block2_conv1')!.kernel.map(Math.abs))).toBeGreaterThan(bound); // glorot's bound is wider
    expect(Math.max(...keras.get('block2_conv1')!.kernel.map(Math.abs))).toBeLessThanOrEqual(glorot);
    expect(keras.get('dense_1')!.bias.every((b) => b === 0)).toBe(true);
  });
});
