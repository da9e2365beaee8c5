// Fixtures for the training tests: a random-weights model package and small image splits.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { backboneLayers, headLayers, featureShape, randomWeights } from '../../engine/backbones.ts';
import { exportOnnx } from '../../engine/onnx-export.ts';
import { modelInput, writeModelPackage } from '../../engine/package.ts';

/** A tiny-backbone package with random weights: outputs are arbitrary but fixed. */
export async function randomPackage(dir: string, classes: readonly string[], size: { width?: number; height?: number } = {}): Promise<void> {
  const { width = 64, height = 48 } = size;
  const backbone = backboneLayers('tiny');
  const head = headLayers({ classes: classes.length, width: 16, depth: 1, dropout: 0.2 });
  const layers = [...backbone, ...head];
  const weights = new Map([...randomWeights(backbone, [height, width, 3], 1), ...randomWeights(head, featureShape('tiny', height, width), 2)]);
  await writeModelPackage(dir, {
    'model.onnx': exportOnnx({ height, width, layers, weights }),
    'labels.json': JSON.stringify(classes),
    'meta.json': JSON.stringify({
      name: path.basename(dir),
      created: new Date().toISOString(),
      input: modelInput(height, width),
      preprocessing: 'caffe',
      backbone: 'tiny',
      weights: 'random(seed=1)',
      head: { width: 16, depth: 1, dropout: 0.2 },
      classes: classes.length,
    }),
  });
}

export async function imageSplit(root: string, split: string, classes: string[], per: number): Promise<string> {
  for (const [c, name] of classes.entries()) {
    const dir = path.join(root, split, 'images', name);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < per; i++) {
      const v = (c * 80 + i * 17) % 256;
      await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: v, g: (v * 7) % 256, b: 255 - v } } })
        .jpeg()
        .toFile(path.join(dir, `${name}_default_battlefield_left_bg_on_${String(i).padStart(3, '0')}.jpg`));
    }
  }
  return path.join(root, split, 'images');
}
