// Bottleneck features, extracted once per (data, backbone, weights, input size) and kept on disk
// in chunks: 150k VGG16 rows are 15 GB, far too much for RAM. Labels are stored
// beside the rows, so nothing walks the images twice. An interrupted run resumes after the last
// complete chunk.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { removeStaleTemps } from '../kit/temp-files.ts';
import { createProgress } from '../kit/progress.ts';
import { toHalfBits } from '../kit/half.ts';
import { decodeMany } from './image-input.ts';
import type { DecodeResult } from './image-input.ts';
import type { SplitListing } from './split-listing.ts';
import { appendChunk, bytesPerValue, defaultWriter, readManifest, writeManifest } from './cache-store.ts';
import type { CacheDtype, CacheManifest, FileWriter } from './cache-store.ts';

/** What extraction needs from an engine (engine/engine.ts `Engine` satisfies it). */
export interface FeatureExtractor {
  readonly outputSize: number;
  run(frames: Uint8Array, n: number): Promise<Float32Array>;
}

export interface FeatureModelId {
  backbone: string;
  /** Names the weights exactly, e.g. 'random(seed=1)' or an md5. */
  weightsId: string;
  width: number;
  height: number;
}

export interface ExtractOptions {
  cacheRoot: string;
  listing: SplitListing;
  model: FeatureModelId;
  /** Opened only when there is work to do, so a cache hit costs no engine start. */
  openExtractor: () => Promise<FeatureExtractor>;
  skipBad: boolean;
  batch?: number;
  chunkRows?: number;
  writer?: FileWriter;
  /** How a new entry stores its rows (default float16; an existing entry keeps its own). */
  dtype?: CacheDtype;
  /** Free bytes where the cache goes (null: unknown); the disk's, unless a test says otherwise. */
  freeBytes?: (dir: string) => Promise<number | null>;
  signal?: AbortSignal;
  label?: string;
  log?: NodeJS.WritableStream;
}

export interface FeatureSet {
  dir: string;
  manifest: CacheManifest;
  /** Images run through the backbone by this call (0 on a cache hit). */
  processed: number;
}

const CHUNK_BYTES = 64 << 20;

async function diskFreeBytes(dir: string): Promise<number | null> {
  try {
    const s = await fs.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null; // not every file system reports it
  }
}

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e9 ? 3 : 1)} GB`;

/** Identifies a set of files by path, size and mtime, in order. */
export async function fingerprintFiles(files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (let i = 0; i < files.length; i += 256) {
    const stats = await Promise.all(files.slice(i, i + 256).map((f) => fs.stat(f)));
    stats.forEach((s, j) => h.update(`${files[i + j]}\0${s.size}\0${Math.round(s.mtimeMs)}\n`));
  }
  return h.digest('hex');
}

export async function cacheKey(listing: SplitListing, model: FeatureModelId): Promise<string> {
  const files = await fingerprintFiles(listing.items.map((i) => path.resolve(i.path)));
  const h = createHash('sha256');
  h.update(JSON.stringify({ files, classes: listing.classes, labels: listing.items.map((i) => i.label), model }));
  return h.digest('hex').slice(0, 24);
}

/** Why a listed chunk can't be read back as its rows (missing, or not rows × rowSize floats), or null. */
export async function brokenChunk(dir: string, m: CacheManifest): Promise<string | null> {
  if (!Array.isArray(m.chunks) || !Number.isInteger(m.rowSize) || m.rowSize <= 0) return 'manifest.json is malformed';
  for (const c of m.chunks) {
    const want = c.rows * m.rowSize * bytesPerValue(m);
    const size = await fs.stat(path.join(dir, c.file)).then(
      (st) => st.size,
      () => -1,
    );
    if (size < 0) return `${c.file} is missing`;
    if (size !== want) return `${c.file} is truncated (${size} of ${want} bytes)`;
  }
  return null;
}

/** Extracts (or reuses, or resumes) the features of one split. */
export async function extractFeatures(o: ExtractOptions): Promise<FeatureSet> {
  const key = await cacheKey(o.listing, o.model);
  const dir = path.join(o.cacheRoot, key);
  const writer = o.writer ?? defaultWriter;
  const log = o.log ?? process.stderr;
  await fs.mkdir(dir, { recursive: true });
  await removeStaleTemps(dir); // chunks a run killed outright (kill -9) was writing
  let found = await readManifest(dir);
  const broken = found ? await brokenChunk(dir, found) : null;
  if (broken) {
    // A chunk cut short (disk full, a copy interrupted, a crash before the OS wrote it): the
    // entry can't be trusted, so it goes and the split is extracted again.
    log.write(`feature cache ${dir}: ${broken}; dropping this entry and extracting again\n`);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    found = undefined;
  }
  if (found?.complete) return { dir, manifest: found, processed: 0 };

  const extractor = await o.openExtractor();
  const m: CacheManifest =
    found && found.key === key && found.rowSize === extractor.outputSize
      ? found
      : {
          version: 1,
          key,
          rowSize: extractor.outputSize,
          dtype: o.dtype ?? 'float16',
          inputs: o.listing.items.map((i) => ({ path: i.path, label: i.label })),
          consumed: 0,
          chunks: [],
          rowInputs: [],
          skipped: [],
          complete: false,
          classes: o.listing.classes,
          created: new Date().toISOString(),
        };
  m.skipped = m.skipped.filter((s) => s.index < m.consumed); // a crash may have left later ones unconsumed
  // Float32 rows: at the notebook's scale (150k frames of 15×20×512) that is ~92 GB, so say it, and
  // refuse before any work when the disk cannot hold it.
  const need = (m.inputs.length - m.consumed) * m.rowSize * bytesPerValue(m);
  const free = await (o.freeBytes ?? diskFreeBytes)(dir);
  log.write(`feature cache ${dir}: ${gb(need)} for ${m.inputs.length - m.consumed} images${free === null ? '' : ` (${gb(free)} free)`}\n`);
  if (free !== null && need > free) {
    if (m.consumed === 0) await fs.rm(dir, { recursive: true, force: true }); // nothing of it to keep
    throw new UserError(`feature cache ${dir}: needs ${gb(need)}, the disk has ${gb(free)} free: free some space or give --cache another disk`);
  }
  if (m.consumed > 0) log.write(`feature cache ${dir}: resuming at ${m.consumed}/${m.inputs.length} images\n`);
  else await writeManifest(dir, m, writer);

  const batch = Math.max(1, o.batch ?? 16);
  const chunkRows = Math.max(1, o.chunkRows ?? Math.floor(CHUNK_BYTES / (m.rowSize * bytesPerValue(m))));
  const frameBytes = o.model.width * o.model.height * 3;
  const progress = createProgress(o.label ?? 'features', m.inputs.length - m.consumed, log);
  // One chunk's rows, kept as they are stored (float16: half the bytes of the engine's output) and
  // reused for every chunk: at most CHUNK_BYTES held, whatever the size of the set.
  const rowBytes = m.rowSize * bytesPerValue(m);
  const chunk = new Uint8Array(Math.max(1, Math.min(chunkRows, m.inputs.length - m.consumed)) * rowBytes);
  const halves = m.dtype === 'float16' ? new Uint16Array(chunk.buffer) : null;
  const floats = halves ? null : new Float32Array(chunk.buffer);
  const store = (out: Float32Array, k: number, row: number): void => {
    const src = out.subarray(k * m.rowSize, (k + 1) * m.rowSize);
    if (floats) floats.set(src, row * m.rowSize);
    else for (let j = 0, at = row * m.rowSize; j < src.length; j++) halves![at + j] = toHalfBits(src[j]!);
  };
  let rowInputs: number[] = [];
  let processed = 0;
  const decode = (start: number): Promise<DecodeResult[]> =>
    decodeMany(
      m.inputs.slice(start, start + batch).map((i) => i.path),
      o.model.width,
      o.model.height,
    );

  let next = m.consumed < m.inputs.length ? decode(m.consumed) : undefined;
  for (let start = m.consumed; start < m.inputs.length; start += batch) {
    if (o.signal?.aborted) throw new UserError(`feature extraction interrupted; rerun to resume from ${dir}`);
    const results = await next!;
    next = start + batch < m.inputs.length ? decode(start + batch) : undefined; // decode ahead while the engine runs
    const good: number[] = [];
    results.forEach((r, j) => {
      const idx = start + j;
      if (r.ok) good.push(j);
      else if (o.skipBad) {
        log.write(`skipping ${m.inputs[idx].path}: ${r.reason}\n`);
        m.skipped.push({ index: idx, path: m.inputs[idx].path, reason: r.reason });
      } else {
        next?.catch(() => undefined);
        throw new UserError(`${r.reason} (use --skip-bad to skip bad images)`);
      }
    });
    const frames = new Uint8Array(good.length * frameBytes);
    good.forEach((j, k) => frames.set((results[j] as { data: Buffer }).data, k * frameBytes));
    const out = good.length > 0 ? await extractor.run(frames, good.length) : new Float32Array(0);
    for (let k = 0; k < good.length; k++) {
      store(out, k, rowInputs.length);
      rowInputs.push(start + good[k]);
      if (rowInputs.length === chunkRows) {
        // A chunk only ever ends on a batch boundary when full; rows of this batch past it carry over.
        // written (and awaited) before the buffer takes the next rows
        await appendChunk(dir, m, chunk, rowInputs, k === good.length - 1 ? start + results.length : start + good[k] + 1, writer);
        rowInputs = [];
      }
    }
    processed += results.length;
    progress.tick(results.length);
  }
  if (rowInputs.length > 0 || m.consumed < m.inputs.length) {
    await appendChunk(dir, m, chunk.subarray(0, rowInputs.length * rowBytes), rowInputs, m.inputs.length, writer);
  }
  progress.done();
  if (m.rowInputs.length === 0) throw new UserError(`${o.listing.dir}: no readable images left after skipping bad ones`);
  m.complete = true;
  await writeManifest(dir, m, writer);
  return { dir, manifest: m, processed };
}
