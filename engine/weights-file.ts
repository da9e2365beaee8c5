// A WeightSet as two files: `weights.json` (layer names, shapes, offsets) + `weights.f32`
// (little-endian float32). Used for imported backbone weights that training reuses.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import type { WeightSet } from './layers.ts';

export const WEIGHTS_MANIFEST = 'backbone-weights.json';
export const WEIGHTS_DATA = 'backbone-weights.f32';

interface ManifestEntry {
  name: string;
  kernelShape: number[];
  kernelOffset: number;
  biasOffset: number;
  biasLength: number;
}

export function encodeWeights(weights: WeightSet): { manifest: string; data: Uint8Array } {
  const entries: ManifestEntry[] = [];
  let offset = 0;
  for (const [name, w] of weights) {
    entries.push({ name, kernelShape: w.kernelShape, kernelOffset: offset, biasOffset: offset + w.kernel.length, biasLength: w.bias.length });
    offset += w.kernel.length + w.bias.length;
  }
  const all = new Float32Array(offset);
  for (const [i, w] of [...weights.values()].entries()) {
    all.set(w.kernel, entries[i]!.kernelOffset);
    all.set(w.bias, entries[i]!.biasOffset);
  }
  return { manifest: JSON.stringify({ format: 'smashsight-weights-1', layers: entries }, null, 1), data: new Uint8Array(all.buffer) };
}

export function decodeWeights(dir: string): WeightSet {
  const mfile = path.join(dir, WEIGHTS_MANIFEST);
  const dfile = path.join(dir, WEIGHTS_DATA);
  let entries: ManifestEntry[];
  let bytes: Buffer;
  try {
    entries = (JSON.parse(fs.readFileSync(mfile, 'utf8')) as { layers: ManifestEntry[] }).layers;
    bytes = fs.readFileSync(dfile);
  } catch (err) {
    throw new UserError(`${dir}: not an imported backbone folder (${(err as Error).message.split('\n')[0]})`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: WeightSet = new Map();
  for (const e of entries) {
    const size = e.kernelShape.reduce((a, b) => a * b, 1);
    if (e.biasOffset + e.biasLength > all.length) throw new UserError(`${dfile}: shorter than ${WEIGHTS_MANIFEST} says (truncated?)`);
    weights.set(e.name, {
      kernel: all.slice(e.kernelOffset, e.kernelOffset + size),
      kernelShape: e.kernelShape,
      bias: all.slice(e.biasOffset, e.biasOffset + e.biasLength),
    });
  }
  return weights;
}
