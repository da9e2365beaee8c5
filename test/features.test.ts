// Feature cache: extract once, reuse, resume after an interruption, and refuse bad input cleanly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../training/feature-cache.ts';
import type { FeatureExtractor, ExtractOptions } from '../training/feature-cache.ts';
import { openFeatureRows } from '../training/feature-reader.ts';
import { listSplit } from '../training/split-listing.ts';
import { decodeImage } from '../training/image-input.ts';
import { HEAD_DEFAULTS, trainHead } from '../training/head-trainer.ts';
import { loadTfjs } from '../engine/tfjs.ts';
import { UserError } from '../kit/errors.ts';

const W = 8;
const H = 6;
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

/** Per-channel mean of each frame: cheap, deterministic, depends on every pixel. */
function fakeExtractor(): FeatureExtractor & { runs: number } {
  const e = {
    outputSize: 3,
    runs: 0,
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      e.runs += n;
      const out = new Float32Array(n * 3);
      const px = W * H;
      for (let i = 0; i < n; i++) for (let p = 0; p < px; p++) for (let c = 0; c < 3; c++) out[i * 3 + c] += frames[(i * px + p) * 3 + c] / px;
      return out;
    },
  };
  return e;
}

async function makeSplit(root: string, perClass: number, classes = ['fox', 'marth']): Promise<string> {
  const dir = path.join(root, 'train', 'images');
  for (const [c, name] of classes.entries()) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const v = (c * 97 + i * 13) % 256;
      await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: v, g: 255 - v, b: (v * 3) % 256 } } })
        .jpeg()
        .toFile(path.join(dir, name, `${name}_default_battlefield_left_bg_on_${String(i).padStart(3, '0')}.jpg`));
    }
  }
  return dir;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
}

async function options(root: string, extra: Partial<ExtractOptions> = {}): Promise<ExtractOptions & { ex: ReturnType<typeof fakeExtractor> }> {
  const ex = fakeExtractor();
  const listing = await listSplit(path.join(root, 'train', 'images'));
  return {
    cacheRoot: path.join(root, 'cache'),
    listing,
    model: { backbone: 'fake', weightsId: 'fake', width: W, height: H },
    openExtractor: async () => ex,
    skipBad: false,
    batch: 4,
    chunkRows: 5,
    log: quiet,
    ex,
    ...extra,
  };
}

async function allRows(dir: string, m: Awaited<ReturnType<typeof extractFeatures>>['manifest']): Promise<{ x: number[]; y: number[] }> {
  const rows = await openFeatureRows(dir, m);
  const x = Array.from(await rows.read(Array.from({ length: rows.rows }, (_, i) => i)));
  return { x, y: Array.from(rows.labels) };
}

describe('feature cache', () => {
  it('stores features with labels in chunks and reuses them on a second run', async () => {
    const root = tmp();
    await makeSplit(root, 7);
    const o = await options(root);
    const first = await extractFeatures(o);
    expect(first.processed).toBe(14);
    expect(first.manifest.complete).toBe(true);
    expect(first.manifest.chunks.map((c) => c.rows)).toEqual([5, 5, 4]);
    const { x, y } = await allRows(first.dir, first.manifest);
    expect(y).toEqual([...Array(7).fill(0), ...Array(7).fill(1)]);
    expect(x.length).toBe(14 * 3);
    expect(x[0]).not.toBeCloseTo(x[7 * 3], 0); // different classes, different colours

    const o2 = await options(root);
    const again = await extractFeatures(o2);
    expect(again.dir).toBe(first.dir);
    expect(again.processed).toBe(0);
    expect(o2.ex.runs).toBe(0);

    // Touching the data changes the key: a new entry, extracted afresh.
    const f = again.manifest.inputs[0].path;
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000));
    const o3 = await options(root);
    const changed = await extractFeatures(o3);
    expect(changed.dir).not.toBe(first.dir);
    expect(changed.processed).toBe(14);
  });

  it('drops an entry whose chunk is truncated or missing and extracts it again (no RangeError)', async () => {
    const root = tmp();
    await makeSplit(root, 7);
    const first = await extractFeatures(await options(root, { dtype: 'float32' })); // the byte counts below are float32's
    const expected = await allRows(first.dir, first.manifest);
    const chunk = path.join(first.dir, first.manifest.chunks[1]!.file);
    const cut = fs.readFileSync(chunk).subarray(0, 37);
    for (const damage of [() => fs.writeFileSync(chunk, cut), () => fs.rmSync(chunk)]) {
      damage();
      // a reader handed the damaged entry says so in one line
      await expect(openFeatureRows(first.dir, first.manifest)).rejects.toThrow(UserError);
      await expect(openFeatureRows(first.dir, first.manifest, 0)).rejects.toThrow(/chunk-00001\.bin: \d+ bytes, expected 60/);
      const lines: string[] = [];
      const log = { write: (t: string) => lines.push(t) > 0 } as unknown as NodeJS.WritableStream;
      const o = await options(root, { log, dtype: 'float32' });
      const again = await extractFeatures(o);
      expect(lines.join('')).toMatch(/chunk-00001\.bin is (truncated \(37 of 60 bytes\)|missing); dropping this entry and extracting again/);
      expect(again.dir).toBe(first.dir);
      expect(again.processed).toBe(14);
      expect(await allRows(again.dir, again.manifest)).toEqual(expected);
    }
  });

  it("removes the temp chunks of a run that died (kill -9), keeping a live run's", async () => {
    const root = tmp();
    await makeSplit(root, 3);
    const first = await extractFeatures(await options(root));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = path.join(first.dir, `chunk-00009.bin.tmp-${dead}`);
    const live = path.join(first.dir, `chunk-00008.bin.tmp-${process.pid}`);
    fs.writeFileSync(stale, 'half');
    fs.writeFileSync(live, 'being written');
    await extractFeatures(await options(root));
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });

  it('resumes an interrupted extraction after the last complete chunk, with the same result', async () => {
    const root = tmp();
    await makeSplit(root, 9);
    const whole = await extractFeatures(await options(path.join(root), { cacheRoot: path.join(root, 'c1') }));
    const expected = await allRows(whole.dir, whole.manifest);

    const ac = new AbortController();
    const o = await options(root, { cacheRoot: path.join(root, 'c2'), signal: ac.signal });
    const inner = o.ex.run.bind(o.ex);
    o.ex.run = async (f, n) => {
      const out = await inner(f, n);
      if (o.ex.runs >= 12) ac.abort();
      return out;
    };
    await expect(extractFeatures(o)).rejects.toThrow(/interrupted/);
    const resumed = await options(root, { cacheRoot: path.join(root, 'c2') });
    const r = await extractFeatures(resumed);
    expect(r.manifest.complete).toBe(true);
    expect(r.processed).toBeLessThan(18);
    expect(r.processed).toBe(18 - 10); // two complete chunks of 5 survived
    expect(await allRows(r.dir, r.manifest)).toEqual(expected);
  });

  it('stops on a corrupt JPEG mid-extraction, naming it, and leaves no complete entry', async () => {
    const root = tmp();
    const dir = await makeSplit(root, 6);
    const bad = path.join(dir, 'marth', 'marth_default_battlefield_left_bg_on_002.jpg');
    const bytes = fs.readFileSync(bad);
    fs.writeFileSync(bad, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const o = await options(root);
    const err = await extractFeatures(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toContain('--skip-bad');
    const entries = fs.readdirSync(o.cacheRoot);
    for (const e of entries) {
      const m = JSON.parse(fs.readFileSync(path.join(o.cacheRoot, e, 'manifest.json'), 'utf8')) as { complete: boolean };
      expect(m.complete).toBe(false);
    }
  });

  it('skips a corrupt JPEG with skipBad, reporting it, and keeps every other row', async () => {
    const root = tmp();
    const dir = await makeSplit(root, 6);
    const bad = path.join(dir, 'fox', 'fox_default_battlefield_left_bg_on_004.jpg');
    fs.writeFileSync(bad, Buffer.from('not a jpeg at all'));
    const lines: string[] = [];
    const log = { write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream;
    const r = await extractFeatures(await options(root, { skipBad: true, log }));
    expect(r.manifest.complete).toBe(true);
    expect(r.manifest.rowInputs.length).toBe(11);
    expect(r.manifest.skipped.map((s) => s.path)).toEqual([bad]);
    expect(lines.join('')).toContain(`skipping ${bad}`);
    const { y } = await allRows(r.dir, r.manifest);
    expect(y).toEqual([...Array(5).fill(0), ...Array(6).fill(1)]);
  });

  it('reports a full disk with the cache path and removes the partial chunk', async () => {
    const root = tmp();
    await makeSplit(root, 6);
    let chunks = 0;
    const writer = async (file: string, data: Uint8Array): Promise<void> => {
      if (path.basename(file).startsWith('chunk-') && ++chunks === 2) {
        fs.writeFileSync(file, data.subarray(0, 3)); // a partial write, then the disk is full
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      fs.writeFileSync(file, data);
    };
    const o = await options(root, { writer });
    const err = await extractFeatures(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const dir = path.join(o.cacheRoot, fs.readdirSync(o.cacheRoot)[0]);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/disk full/);
    expect(fs.readdirSync(dir).sort()).toEqual(['chunk-00000.bin', 'manifest.json']);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { complete: boolean; chunks: unknown[] };
    expect(m.complete).toBe(false);
    expect(m.chunks.length).toBe(1);
  });
});

describe('feature cache size', () => {
  it('stores float16 by default, half the bytes of float32, reading back within float16 rounding', async () => {
    const root = tmp();
    await makeSplit(root, 5);
    const half = await extractFeatures(await options(root));
    const full = await extractFeatures(await options(path.join(root), { dtype: 'float32', cacheRoot: path.join(root, 'cache32') }));
    expect(half.manifest.dtype).toBe('float16');
    expect(full.manifest.dtype).toBe('float32');
    const bytes = (dir: string): number =>
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('chunk-'))
        .reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
    expect(bytes(half.dir) * 2).toBe(bytes(full.dir));
    const a = (await allRows(half.dir, half.manifest)).x;
    const b = (await allRows(full.dir, full.manifest)).x;
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(b[i]!) * 2 ** -11 + 2 ** -24);
    // positioned reads (no room in memory) give the same rows
    const rows = await openFeatureRows(half.dir, half.manifest, 0);
    expect(Array.from(await rows.read([3, 0]))).toEqual([...a.slice(3 * rows.rowSize, 4 * rows.rowSize), ...a.slice(0, rows.rowSize)]);
    await rows.close();
  });

  it('reads the same rows from memory and from the chunk files, across chunks, in any order', async () => {
    const root = tmp();
    await makeSplit(root, 9); // 18 rows in chunks of 5: the chunk buffer is reused three times
    for (const dtype of ['float16', 'float32'] as const) {
      const o = await options(root, { dtype, cacheRoot: path.join(root, `cache-${dtype}`) });
      const set = await extractFeatures(o);
      expect(set.manifest.chunks.map((c) => c.rows)).toEqual([5, 5, 5, 3]);
      const order = [17, 0, 5, 4, 16, 9, 10, 1, 12];
      const held = await openFeatureRows(set.dir, set.manifest, 1 << 30);
      const streamed = await openFeatureRows(set.dir, set.manifest, 0);
      const a = await held.read(order);
      expect(Array.from(await streamed.read(order))).toEqual(Array.from(a));
      // and they are the extractor's own rows (float16: within its rounding)
      const frames = await Promise.all(order.map((r) => decodeImage(set.manifest.inputs[set.manifest.rowInputs[r]!]!.path, W, H)));
      const want = await fakeExtractor().run(Buffer.concat(frames), order.length);
      const tol = dtype === 'float16' ? 2 ** -11 : 0;
      want.forEach((v, i) => expect(Math.abs(a[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * tol));
      await Promise.all([held.close(), streamed.close()]);
    }
  });

  it('trains the same head from rows held in memory and rows read from disk', async () => {
    const root = tmp();
    await makeSplit(root, 8);
    const set = await extractFeatures(await options(root));
    const { tf } = await loadTfjs();
    const cfg = { ...HEAD_DEFAULTS, width: 6, depth: 1, dropout: 0, epochs: 3, batch: 4 }; // tfjs' dropout draws unseeded
    const weights = async (cap: number): Promise<number[][]> => {
      const rows = await openFeatureRows(set.dir, set.manifest, cap);
      const head = await trainHead(tf, rows, rows, [1, 1, 3], 2, cfg, () => {});
      await rows.close();
      return [...head.weights.values()].map((w) => [...w.kernel, ...w.bias]);
    };
    expect(await weights(0)).toEqual(await weights(1 << 30));
  });

  it('says how much it will write, and refuses before any work when the disk cannot hold it', async () => {
    const root = tmp();
    await makeSplit(root, 6);
    const log: string[] = [];
    const sink = new Writable({
      write: (c, _e, done) => {
        log.push(String(c));
        done();
      },
    });
    const o = await options(root, { freeBytes: async () => 10, log: sink });
    const err = await extractFeatures(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^feature cache .*: needs 0\.\d{3} GB, the disk has 0\.000 GB free: free some space or give --cache another disk$/);
    expect(fs.readdirSync(o.cacheRoot)).toEqual([]); // nothing half-written
    const roomy = await extractFeatures(await options(root, { freeBytes: async () => 1e12, log: sink }));
    expect(roomy.manifest.complete).toBe(true);
    expect(log.join('')).toMatch(/feature cache .*: 0\.\d{3} GB for \d+ images \(1000\.0 GB free\)/);
  });
});

describe('split listing', () => {
  it('names an empty class folder', async () => {
    const root = tmp();
    const dir = await makeSplit(root, 2);
    fs.mkdirSync(path.join(dir, 'peach'));
    await expect(listSplit(dir)).rejects.toThrow(`${path.join(dir, 'peach')}: empty class folder`);
  });

  it('names a split with no images', async () => {
    const root = tmp();
    const dir = path.join(root, 'valid', 'images');
    fs.mkdirSync(dir, { recursive: true });
    await expect(listSplit(dir)).rejects.toThrow(`${dir}: split has no images`);
  });
});
