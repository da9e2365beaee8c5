// Model package validation (one-line errors naming the file), atomic writes, and `models fetch`
// failing fast offline with the manual route spelled out.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backboneLayers, headLayers, randomWeights } from '../engine/backbones.ts';
import { fetchVgg16 } from '../engine/fetch.ts';
import { exportOnnx } from '../engine/onnx-export.ts';
import { listModelPackages, modelInput, readModelPackage, writeModelPackage } from '../engine/package.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));

/** A minimal valid package (tiny backbone, 3 classes, 32x32) written with plain fs. */
function writePackage(dir: string, classes = 3): void {
  const layers = [...backboneLayers('tiny'), ...headLayers({ classes, width: 4, depth: 1 })];
  const weights = randomWeights(layers, [32, 32, 3], 1);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), exportOnnx({ height: 32, width: 32, layers, weights }));
  fs.writeFileSync(path.join(dir, 'labels.json'), JSON.stringify(['fox', 'falco', 'marth'].slice(0, classes)));
  const meta = {
    name: 'p',
    created: '2026-01-01T00:00:00Z',
    input: modelInput(32, 32),
    preprocessing: 'caffe',
    backbone: 'tiny',
    weights: 'random(seed=1)',
    head: { width: 4, depth: 1, dropout: 0.2 },
    classes,
  };
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

async function userError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: Error) => e,
  );
  expect(err?.name).toBe('UserError');
  expect(err!.message).not.toContain('\n');
  return err!.message;
}

describe('readModelPackage', () => {
  it('reads a valid package', async () => {
    const dir = path.join(tmp(), 'ok');
    writePackage(dir);
    const pkg = await readModelPackage(dir);
    expect(pkg.labels).toEqual(['fox', 'falco', 'marth']);
    expect(pkg.meta.input).toMatchObject({ height: 32, width: 32 });
    expect(listModelPackages(path.dirname(dir))).toEqual([dir]);
  });

  it('names labels.json when it is missing', async () => {
    const dir = path.join(tmp(), 'nolabels');
    writePackage(dir);
    fs.rmSync(path.join(dir, 'labels.json'));
    expect(await userError(readModelPackage(dir))).toBe(`${path.join(dir, 'labels.json')}: missing (a model package needs it)`);
  });

  it('names labels.json when its count differs from meta.json classes', async () => {
    const dir = path.join(tmp(), 'count');
    writePackage(dir);
    fs.writeFileSync(path.join(dir, 'labels.json'), JSON.stringify(['fox', 'falco']));
    expect(await userError(readModelPackage(dir))).toMatch(/labels\.json: has 2 labels but meta\.json says classes=3$/);
  });

  it('names labels.json when it does not match the ONNX output size', async () => {
    const dir = path.join(tmp(), 'output');
    writePackage(dir);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { classes: number };
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, classes: 2 }));
    fs.writeFileSync(path.join(dir, 'labels.json'), JSON.stringify(['fox', 'falco']));
    expect(await userError(readModelPackage(dir))).toMatch(/labels\.json: has 2 labels but .*model\.onnx outputs 3 values$/);
  });

  it('names meta.json when a field is wrong', async () => {
    const dir = path.join(tmp(), 'meta');
    writePackage(dir);
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ name: 'x' }));
    expect(await userError(readModelPackage(dir))).toMatch(/meta\.json: "input" must have/);
  });
});

describe('writeModelPackage', () => {
  it('leaves nothing behind when a write fails, and keeps an older package intact', async () => {
    const root = tmp();
    const dir = path.join(root, 'pkg');
    await writeModelPackage(dir, { 'meta.json': '{"v":1}' });
    // 'sub' is written as a file, so 'sub/b.txt' cannot be created: the write fails midway.
    await expect(writeModelPackage(dir, { 'a.txt': 'a', sub: 'x', 'sub/b.txt': 'b' })).rejects.toThrow();
    expect(fs.readdirSync(root)).toEqual(['pkg']);
    expect(fs.readdirSync(dir)).toEqual(['meta.json']);
    await expect(writeModelPackage(path.join(root, 'fresh'), { sub: 'x', 'sub/b.txt': 'b' })).rejects.toThrow();
    expect(fs.readdirSync(root)).toEqual(['pkg']);
  });

  it('replaces an existing package only once the new one is complete', async () => {
    const dir = path.join(tmp(), 'pkg');
    await writeModelPackage(dir, { 'old.txt': 'old' });
    await writeModelPackage(dir, { 'new.txt': 'new', 'nested/x.bin': new Uint8Array([1, 2]) });
    expect(fs.readdirSync(dir).sort()).toEqual(['nested', 'new.txt']);
    expect([...fs.readFileSync(path.join(dir, 'nested/x.bin'))]).toEqual([1, 2]);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['pkg']);
  });
});

describe('models fetch vgg16 offline', () => {
  it('fails with the file name, the URL and the import command, writing nothing', async () => {
    const root = tmp();
    // A port that was just free: connecting is refused at once, like a machine without internet.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const cache = path.join(root, 'cache');
    const msg = await userError(fetchVgg16({ out: path.join(root, 'models'), cache, url: `http://127.0.0.1:${port}/x.h5`, timeoutMs: 3000 }));
    expect(msg).toMatch(
      /^cannot reach 127\.0\.0\.1:\d+ \(.+\): download https:\/\/storage\.googleapis\.com\/.*vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5 \(md5 6d6bbae143d832006294945121d1f1fc\)/,
    );
    expect(msg).toContain(`smashsight models import-keras ${path.join(cache, 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')}`);
    expect(fs.readdirSync(cache)).toEqual([]);
    expect(fs.existsSync(path.join(root, 'models'))).toBe(false);
  });
});
