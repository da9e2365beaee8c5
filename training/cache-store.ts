// On-disk layout of one feature-cache entry: float16 (or float32) chunk files of whole rows plus a manifest
// that lists them in order. A chunk is written to a temp name and renamed, and the manifest is
// rewritten (also temp + rename) only after, so a crash never leaves a listed chunk half-written.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { removeOnInterrupt, tempNameFor } from '../kit/temp-files.ts';

export interface CacheChunk {
  file: string;
  rows: number;
}

export interface CacheManifest {
  version: 1;
  key: string;
  /** Floats per row (the backbone's flattened feature size). */
  rowSize: number;
  /** How chunk values are stored; absent: float32 (entries made before float16). */
  dtype?: CacheDtype;
  /** Every input image in extraction order with its class index. */
  inputs: { path: string; label: number }[];
  /** How many of `inputs` have been consumed (written or skipped). */
  consumed: number;
  chunks: CacheChunk[];
  /** One entry per written row: index into `inputs`. */
  rowInputs: number[];
  skipped: { index: number; path: string; reason: string }[];
  complete: boolean;
  classes: string[];
  created: string;
}

export type CacheDtype = 'float16' | 'float32';
export const CACHE_DTYPES: readonly CacheDtype[] = ['float16', 'float32'];

/** Bytes one stored value takes in this entry's chunks. */
export function bytesPerValue(m: Pick<CacheManifest, 'dtype'>): 2 | 4 {
  return m.dtype === 'float16' ? 2 : 4;
}

/** Writes bytes to a path; injectable so tests can simulate a full disk. */
export type FileWriter = (file: string, data: Uint8Array) => Promise<void>;

export const defaultWriter: FileWriter = (file, data) => fs.writeFile(file, data);

export const MANIFEST = 'manifest.json';

export function chunkName(index: number): string {
  return `chunk-${String(index).padStart(5, '0')}.bin`;
}

export async function readManifest(dir: string): Promise<CacheManifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
}

/** Writes `data` to `dir/name` atomically; on failure removes the partial file and says which cache. */
export async function writeAtomic(dir: string, name: string, data: Uint8Array, writer: FileWriter): Promise<void> {
  const target = path.join(dir, name);
  const tmp = tempNameFor(target);
  const untrack = removeOnInterrupt(tmp); // Ctrl-C mid-chunk leaves no <chunk>.tmp-<pid>
  try {
    await writer(tmp, data);
    await fs.rename(tmp, target);
    untrack();
  } catch (err) {
    untrack();
    await fs.rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'disk full (ENOSPC)' : (err as Error).message;
    throw new UserError(`feature cache ${dir}: cannot write ${name}: ${why}`);
  }
}

export async function writeManifest(dir: string, m: CacheManifest, writer: FileWriter): Promise<void> {
  await writeAtomic(dir, MANIFEST, new TextEncoder().encode(JSON.stringify(m)), writer);
}

/**
 * Appends one chunk of rows, already in the entry's dtype (`stored`: rowInputs.length whole rows),
 * and records it in the manifest (chunk first, manifest after).
 */
export async function appendChunk(
  dir: string,
  m: CacheManifest,
  stored: Uint8Array,
  rowInputs: number[],
  consumedTo: number,
  writer: FileWriter,
): Promise<void> {
  const file = chunkName(m.chunks.length);
  if (rowInputs.length > 0) {
    await writeAtomic(dir, file, stored, writer);
    m.chunks.push({ file, rows: rowInputs.length });
    m.rowInputs.push(...rowInputs);
  }
  m.consumed = consumedTo;
  await writeManifest(dir, m, writer);
}
