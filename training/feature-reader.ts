// Reads cached feature rows back in batches: random rows by index, from memory when the whole
// set fits under a cap, else straight from the chunk files (positioned reads, no full load).
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

export const DEFAULT_MEMORY_CAP = 1 << 30;

export async function openFeatureRows(dir: string, m: CacheManifest, memoryCap = DEFAULT_MEMORY_CAP): Promise<FeatureRows> {
  const rows = m.rowInputs.length;
  const rowSize = m.rowSize;
  const labels = Int32Array.from(m.rowInputs, (i) => m.inputs[i].label);
  const paths = m.rowInputs.map((i) => m.inputs[i].path);
  const chunkOf = new Int32Array(rows);
  const rowInChunk = new Int32Array(rows);
  let r = 0;
  m.chunks.forEach((c, ci) => {
    for (let k = 0; k < c.rows; k++, r++) {
      chunkOf[r] = ci;
      rowInChunk[r] = k;
    }
  });
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

  const reader = (read: FeatureRows['read'], close: FeatureRows['close'] = async () => {}): FeatureRows => ({ rows, rowSize, labels, paths, read, close });
  if (rows * rowBytes <= memoryCap) {
    const all = new Float32Array(rows * rowSize);
    let offset = 0;
    for (const c of m.chunks) {
      const buf = new Uint8Array(await fs.readFile(path.join(dir, c.file))); // a copy: aligned for the typed views
      if (half) fromHalf(new Uint16Array(buf.buffer, 0, c.rows * rowSize), all, offset);
      else all.set(new Float32Array(buf.buffer, 0, c.rows * rowSize), offset);
      offset += c.rows * rowSize;
    }
    return reader(async (indices) => {
      const out = new Float32Array(indices.length * rowSize);
      for (let k = 0; k < indices.length; k++) out.set(all.subarray(indices[k] * rowSize, (indices[k] + 1) * rowSize), k * rowSize);
      return out;
    });
  }

  const handles: FileHandle[] = await Promise.all(m.chunks.map((c) => fs.open(path.join(dir, c.file), 'r')));
  return reader(
    async (indices) => {
      const out = new Float32Array(indices.length * rowSize);
      const bytes = half ? new Uint8Array(indices.length * rowBytes) : new Uint8Array(out.buffer);
      await Promise.all(Array.from(indices, (idx, k) => handles[chunkOf[idx]].read(bytes, k * rowBytes, rowBytes, rowInChunk[idx] * rowBytes)));
      if (half) fromHalf(new Uint16Array(bytes.buffer), out);
      return out;
    },
    async () => {
      await Promise.all(handles.map((h) => h.close()));
    },
  );
}
