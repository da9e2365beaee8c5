// Training from scratch: augmentation (seeded, bounded, facing-aware), the learning-rate schedule,
// and batch norm folded into the convs so a trained bn5 runs as plain convs on both engines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backboneLayers, headLayers, randomWeights } from '../engine/backbones.ts';
import { foldedLayers } from '../engine/layers.ts';
import { openEngine } from '../engine/open-engine.ts';
import { packageFiles } from '../engine/package-files.ts';
import { modelInput, readModelPackage, writeModelPackage } from '../engine/package.ts';
import { buildTfjsModel, loadTfjs, readTfjsWeights } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';
import { augmentFrame, mirrorClasses, SCRATCH_AUGMENT } from '../training/augment.ts';
import { scheduledRate } from '../training/fit-loop.ts';

function gradient(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set([(x * 255) / w, (y * 255) / h, 128], (y * w + x) * 3);
  return px;
}

describe('augmentation for training from scratch', () => {
  it('is a pure function of the seed', () => {
    const src = gradient(48, 36);
    const a = Array.from({ length: 5 }, (_, i) => augmentFrame(src, 48, 36, seededRandom(100 + i), SCRATCH_AUGMENT));
    const b = Array.from({ length: 5 }, (_, i) => augmentFrame(src, 48, 36, seededRandom(100 + i), SCRATCH_AUGMENT));
    expect(b).toEqual(a);
    expect(new Set(a.map((x) => Buffer.from(x.pixels).toString('base64'))).size).toBe(5);
  });

  it('keeps colour changes within their ranges and leaves most of the frame visible', () => {
    const w = 40;
    const h = 30;
    const src = new Uint8Array(w * h * 3).fill(128);
    const colourOnly = { ...SCRATCH_AUGMENT, widthShift: 0, heightShift: 0, zoom: 0, flip: false, hue: 0, saturation: 0, occlusion: 0 };
    const rand = seededRandom(9);
    for (let i = 0; i < 50; i++) {
      const { pixels } = augmentFrame(src, w, h, rand, colourOnly);
      // grey stays grey; brightness ±25% (contrast does nothing to a flat frame)
      expect(new Set(pixels).size).toBe(1);
      expect(pixels[0]).toBeGreaterThanOrEqual(Math.floor(128 * 0.75));
      expect(pixels[0]).toBeLessThanOrEqual(Math.ceil(128 * 1.25));
    }
    const occluded = { ...colourOnly, brightness: 0, contrast: 0, occlusion: 1, occlusionSize: 0.25 };
    for (let i = 0; i < 50; i++) {
      const { pixels } = augmentFrame(src, w, h, rand, occluded);
      let changed = 0;
      for (let p = 0; p < w * h; p++) if (pixels[p * 3] !== 128 || pixels[p * 3 + 1] !== 128 || pixels[p * 3 + 2] !== 128) changed++;
      expect(changed).toBeGreaterThan(0);
      expect(changed).toBeLessThanOrEqual(3 * Math.ceil(w * 0.25) * Math.ceil(h * 0.25)); // at most 3 patches
    }
  });

  it('a mirrored frame swaps left and right in its class, and only there', () => {
    const classes = ['fox_left', 'fox_right', 'marth', 'puff_na', 'samus_left'];
    expect([...mirrorClasses(classes)]).toEqual([1, 0, 2, 3, 4]); // samus_right is not a class: stays
    const src = gradient(16, 12);
    const rand = seededRandom(4);
    const flipOnly = { ...SCRATCH_AUGMENT, widthShift: 0, heightShift: 0, zoom: 0, brightness: 0, contrast: 0, saturation: 0, hue: 0, occlusion: 0 };
    const seen = new Set<boolean>();
    for (let i = 0; i < 20; i++) {
      const a = augmentFrame(src, 16, 12, rand, flipOnly);
      seen.add(a.mirrored);
      expect(a.pixels[0]).toBe(a.mirrored ? src[15 * 3] : src[0]); // the top-left pixel comes from the other side when mirrored
    }
    expect(seen).toEqual(new Set([true, false]));
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, then follows a cosine to zero; plateau keeps the rate after warm-up', () => {
    const cfg = { lr: 1e-2, schedule: 'cosine' as const };
    expect(scheduledRate(cfg, 0, 100, 10)).toBeCloseTo(1e-3);
    expect(scheduledRate(cfg, 9, 100, 10)).toBeCloseTo(1e-2);
    expect(scheduledRate(cfg, 10, 100, 10)).toBeCloseTo(1e-2);
    expect(scheduledRate(cfg, 55, 100, 10)).toBeCloseTo(5e-3);
    expect(scheduledRate(cfg, 100, 100, 10)).toBeCloseTo(0);
    expect(scheduledRate({ lr: 1e-2, schedule: 'plateau' }, 50, 100, 10)).toBe(1e-2);
  });
});

describe('bn5 and bn5-fine with a global-pooling head', () => {
  it.each(['bn5', 'bn5-fine'] as const)(
    '%s trains with batch norm, and its folded package gives the same answers on tfjs and ONNX Runtime',
    async (backbone) => {
      const { tf } = await loadTfjs();
      const [H, W] = [48, 64];
      const layers = [...backboneLayers(backbone), ...headLayers({ classes: 3, width: 8, depth: 1, pool: 'gap' })];
      const model = buildTfjsModel(tf, layers, randomWeights(layers, [H, W, 3], 2), { height: H, width: W }, { batchNorm: true });
      expect(model.layers.some((l) => l.name === 'block1_conv1_bn')).toBe(true);
      // a few steps so the moving statistics and the BN weights are no longer the identity
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
      const rand = seededRandom(6);
      const x = tf.tensor4d(
        Int32Array.from({ length: 8 * H * W * 3 }, () => Math.floor(rand() * 256)),
        [8, H, W, 3],
        'int32',
      );
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
      for (let i = 0; i < 5; i++) await model.trainOnBatch(x, y);
      const expected = (await (model.predict(x) as ReturnType<typeof tf.tensor>).data()) as Float32Array;

      const folded = readTfjsWeights(model, layers);
      const plain = foldedLayers(layers);
      expect(plain.some((l) => l.type === 'conv2d' && l.batchNorm)).toBe(false);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bn5-'));
      try {
        const meta = {
          name: backbone,
          created: '',
          input: modelInput(H, W),
          preprocessing: 'caffe' as const,
          backbone,
          weights: 'test',
          head: { width: 8, depth: 1, dropout: 0.2, pool: 'gap' as const },
          classes: 3,
        };
        await writeModelPackage(dir, await packageFiles({ meta, labels: ['a', 'b', 'c'], layers: plain, weights: folded }));
        const pkg = await readModelPackage(dir);
        const frames = new Uint8Array(await x.data());
        for (const engine of ['onnx', 'tfjs'] as const) {
          const e = await openEngine(pkg, { engine, threads: 1 });
          const got = await e.run(frames, 8);
          await e.dispose();
          for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i]! - expected[i]!), `${engine} output ${i}`).toBeLessThan(1e-4);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        tf.dispose([x, y]);
        model.dispose();
      }
    },
  );
});
