// Thin h5wasm layer: open a file with HDF5 errors thrown (not printed to stdout) and turned into
// one-line UserErrors, read string attributes (incl. Keras' split `name0`, `name1`… form).
import fs from 'node:fs';
import h5wasm from 'h5wasm/node';
import { UserError } from '../kit/errors.ts';

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
let ready: Promise<void> | undefined;

async function h5Ready(): Promise<void> {
  ready ??= h5wasm.ready.then((m) => {
    m.activate_throwing_error_handler();
  });
  return ready;
}

/** The innermost HDF5 message ("truncated file: eof = …") from h5wasm's error stack text. */
export function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = [...text.matchAll(/#\d+: .*? in \w+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  return lines[lines.length - 1] ?? text.split('\n')[0]!;
}

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

export async function openH5(file: string): Promise<H5File> {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    head = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 8, 0);
    fs.closeSync(fd);
  } catch {
    throw new UserError(`${file}: cannot read the file`);
  }
  // HDF5 allows a user block before the superblock, but Keras files never have one.
  if (!head.equals(SIGNATURE)) throw new UserError(`${file}: not an HDF5 file (no HDF5 signature at the start)`);
  await h5Ready();
  try {
    return new h5wasm.File(file, 'r');
  } catch (err) {
    throw new UserError(`${file}: unreadable HDF5 (${hdf5Reason(err)})`);
  }
}

export function isGroup(e: unknown): e is H5Group {
  return e instanceof h5wasm.Group;
}

export function isDataset(e: unknown): e is H5Dataset {
  return e instanceof h5wasm.Dataset;
}

function asStrings(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

/** A string-list attribute, joining Keras' `name0`, `name1`, … chunks when it was split. */
export function stringListAttr(obj: H5Group, name: string): string[] | null {
  const attrs = obj.attrs;
  if (attrs[name]) return asStrings(attrs[name]!.value);
  const parts: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) {
    const chunk = asStrings(attrs[`${name}${i}`]!.value);
    if (!chunk) return null;
    parts.push(...chunk);
  }
  return parts.length ? parts : null;
}

export function stringAttr(obj: H5Group, name: string): string | null {
  const v = obj.attrs[name]?.value;
  return typeof v === 'string' ? v : null;
}

/** Float data of a dataset as float32 (Keras stores float32; float64 is converted). */
export function floatData(ds: H5Dataset): Float32Array {
  const v = ds.value;
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array) return Float32Array.from(v);
  throw new Error(`dataset ${ds.path} is ${ds.dtype}, not float`);
}
