// Reads cached feature rows back in batches: random rows by index, decoded to float32 one batch at
// a time. A small entry is held in memory as stored (float16 stays 2 bytes a value); anything
// larger is read straight from the chunk files (positioned reads: the OS page cache, not this
// process, keeps what is hot), so train's memory does not grow with the data set.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { bytesPerValue, type CacheManifest } from './cache-store.ts';
import { fromHalf } from '../kit/half.ts';
import { UserError } from '../kit/errors.ts';

export interface FeatureRows {
  readonly rows: number;
  readonly rowSize: number;
  /** Class index per row. */
  readonly labels: Int32Array;
  /** Image path per row. */
  readonly paths: string[];
  /** Copies the given rows, in the given order, into one [n, rowSize] array. */
  read(indices: ArrayLike<number>): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Entries up to this many stored bytes are held in memory (`train --memory-cap`). */
export const DEFAULT_MEMORY_CAP = 64 << 20;

/** Where each row's stored bytes come from: copies row `row` into `dst` at `at`. */
type RowSource = { fetch(row: number, dst: Uint8Array, at: number): Promise<void> | void; close(): Promise<void> };

export async function openFeatureRows(dir: string, m: CacheManifest, memoryCap = DEFAULT_MEMORY_CAP): Promise<FeatureRows> {
  const rows = m.rowInputs.length;
  const rowSize = m.rowSize;
  const labels = Int32Array.from(m.rowInputs, (i) => m.inputs[i].label);
  const paths = m.rowInputs.map((i) => m.inputs[i].path);
  const half = m.dtype === 'float16';
  const rowBytes = rowSize * bytesPerValue(m);
  for (const c of m.chunks) {
    const file = path.join(dir, c.file);
    const size = await fs.stat(file).then(
      (st) => st.size,
      () => 0,
    );
    // extractFeatures drops such an entry; a reader must never return zeros or a RangeError for it
    if (size !== c.rows * rowBytes) throw new UserError(`feature cache ${file}: ${size} bytes, expected ${c.rows * rowBytes}: delete ${dir} and run again`);
  }
  const source = rows * rowBytes <= memoryCap ? await inMemory(dir, m, rowBytes) : await fromFiles(dir, m, rowBytes);
  return {
    rows,
    rowSize,
    labels,
    paths,
    async read(indices) {
      const out = new Float32Array(indices.length * rowSize);
      // float32 rows land in `out` itself; float16 ones in a batch-sized buffer, then decoded
      const bytes = half ? new Uint8Array(indices.length * rowBytes) : new Uint8Array(out.buffer);
      await Promise.all(Array.from(indices, (idx, k) => source.fetch(idx, bytes, k * rowBytes)));
      if (half) fromHalf(new Uint16Array(bytes.buffer), out);
      return out;
    },
    close: () => source.close(),
  };
}

/** Every chunk read once into one buffer of stored bytes. */
async function inMemory(dir: string, m: CacheManifest, rowBytes: number): Promise<RowSource> {
  const all = new Uint8Array(m.rowInputs.length * rowBytes);
  let offset = 0;
  for (const c of m.chunks) {
    const h = await fs.open(path.join(dir, c.file), 'r');
    try {
      const { bytesRead } = await h.read(all, offset, c.rows * rowBytes, 0);
      if (bytesRead !== c.rows * rowBytes) throw new UserError(`feature cache ${path.join(dir, c.file)}: short read: delete ${dir} and run again`);
    } finally {
      await h.close();
    }
    offset += c.rows * rowBytes;
  }
  return {
    fetch: (row, dst, at) => void dst.set(all.subarray(row * rowBytes, (row + 1) * rowBytes), at),
    close: async () => {},
  };
}

/** One open handle per chunk; each row is one positioned read. */
async function fromFiles(dir: string, m: CacheManifest, rowBytes: number): Promise<RowSource> {
  const chunkOf = new Int32Array(m.rowInputs.length);
  const rowInChunk = new Int32Array(m.rowInputs.length);
  let r = 0;
  m.chunks.forEach((c, ci) => {
    for (let k = 0; k < c.rows; k++, r++) {
      chunkOf[r] = ci;
      rowInChunk[r] = k;
    }
  });
  const handles: FileHandle[] = await Promise.all(m.chunks.map((c) => fs.open(path.join(dir, c.file), 'r')));
  return {
    async fetch(row, dst, at) {
      await handles[chunkOf[row]!]!.read(dst, at, rowBytes, rowInChunk[row]! * rowBytes);
    },
    close: async () => {
      await Promise.all(handles.map((h) => h.close()));
    },
  };
}
