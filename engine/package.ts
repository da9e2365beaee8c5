// A model package is a folder: model.onnx (+ backbone.onnx), the tfjs model, labels, meta and
// reports. Read with validation (one-line UserError per problem); written atomically.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { UserError } from '../kit/errors.ts';
import { BACKBONES, isBackboneName } from './backbones.ts';
import type { BackboneName, HeadPool } from './backbones.ts';

const { onnx } = onnxProto;

export interface ModelMeta {
  name: string;
  created: string;
  input: { height: number; width: number; channels: 3; dtype: 'uint8'; layout: 'NHWC'; color: 'RGB' };
  preprocessing: 'caffe';
  backbone: BackboneName;
  weights: string /* e.g. 'random(seed=1)', 'imagenet (keras notop h5, md5 …)', 'keras-h5:<file>' */;
  /** `pool` absent: the notebook's Flatten (packages made before the GAP head). */
  head: { width: number; depth: number; dropout: number; pool?: HeadPool };
  classes: number;
  dataset?: { fingerprint: string; counts: Record<string, number> };
  /** How the data was split (split.json): `by` is random, stage, session, …; null: made by hand. */
  split?: { by: string; seed: number; percent: Record<string, number> } | null;
  metrics?: { top1?: number; [k: string]: unknown };
  /** Written by `models quantize`: the int8 graph beside model.onnx and what it was checked on. */
  int8?: Int8Record;
}

export interface Int8Record {
  file: string;
  created: string;
  /** Activation ranges: MinMax over this many frames of this split, sampled with this seed. */
  calibration: { split: string; frames: number; seed: number };
  /** Top-1 of both graphs on the same test split (null: no test split was given). */
  top1: { split: string; fp32: number; int8: number } | null;
}

export interface ModelPackage {
  dir: string;
  meta: ModelMeta;
  labels: string[];
  onnxPath: string;
  backboneOnnxPath: string;
  /** model.int8.onnx; absent when the package has no int8 graph. */
  int8Path?: string;
}

/** The int8 graph's file name in a package (`models quantize` writes it). */
export const INT8_FILE = 'model.int8.onnx';

/** The input block every package has: only the size varies. */
export function modelInput(height: number, width: number): ModelMeta['input'] {
  return { height, width, channels: 3, dtype: 'uint8', layout: 'NHWC', color: 'RGB' };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new UserError(`${file}: missing (a model package needs it)`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function validateMeta(file: string, raw: unknown): ModelMeta {
  const bad = (what: string): never => {
    throw new UserError(`${file}: ${what}`);
  };
  if (!isObject(raw)) return bad('must be a JSON object');
  if (typeof raw.name !== 'string') bad('"name" must be a string');
  const input = raw.input;
  if (!isObject(input) || !positiveInt(input.height) || !positiveInt(input.width)) {
    bad('"input" must have positive integer "height" and "width"');
  }
  if (typeof raw.backbone !== 'string' || !isBackboneName(raw.backbone)) bad(`"backbone" must be one of ${BACKBONES.join(', ')}`);
  if (!positiveInt(raw.classes)) bad('"classes" must be a positive integer');
  if (typeof raw.weights !== 'string') bad('"weights" must be a string');
  const head = raw.head;
  if (!isObject(head) || typeof head.width !== 'number' || typeof head.depth !== 'number' || typeof head.dropout !== 'number') {
    bad('"head" must have numeric "width", "depth" and "dropout"');
  }
  return raw as unknown as ModelMeta;
}

/** Output size (last dim of the first graph output) of an ONNX file, or null if not static. */
export async function onnxOutputSize(file: string): Promise<number | null> {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(await fsp.readFile(file));
  } catch (err) {
    throw new UserError(`${file}: not a readable ONNX model (${(err as Error).message})`);
  }
  const dims = model.graph?.output?.[0]?.type?.tensorType?.shape?.dim ?? [];
  const last = dims[dims.length - 1];
  if (!last || last.dimValue === null || last.dimValue === undefined) return null;
  return Number(last.dimValue);
}

/** The label the server shows when no class is confident (server/protocol.ts UNKNOWN): no class may use it. */
export const RESERVED_LABEL = 'unknown';

/** What is wrong with a package's class labels (empty, repeated, the reserved one), or null. */
export function labelsProblem(labels: readonly string[]): string | null {
  const empty = labels.findIndex((l) => l.trim() === '');
  if (empty >= 0) return `label ${empty + 1} is empty`;
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) return `label '${l}' appears more than once (each class needs its own label)`;
    seen.add(l);
  }
  if (seen.has(RESERVED_LABEL)) return `'${RESERVED_LABEL}' is reserved (the label shown when no class is confident): rename that class`;
  return null;
}

export async function readModelPackage(dir: string): Promise<ModelPackage> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: no such model folder`);
  const metaFile = path.join(dir, 'meta.json');
  const labelsFile = path.join(dir, 'labels.json');
  const onnxPath = path.join(dir, 'model.onnx');
  const meta = validateMeta(metaFile, await readJson(metaFile));
  const labels = await readJson(labelsFile);
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    throw new UserError(`${labelsFile}: must be a JSON array of label strings`);
  }
  const problem = labelsProblem(labels);
  if (problem) throw new UserError(`${labelsFile}: ${problem}`);
  if (labels.length !== meta.classes) {
    throw new UserError(`${labelsFile}: has ${labels.length} labels but meta.json says classes=${meta.classes}`);
  }
  if (!fs.existsSync(onnxPath)) throw new UserError(`${onnxPath}: missing (a model package needs it)`);
  const outputSize = await onnxOutputSize(onnxPath);
  if (outputSize !== null && outputSize !== labels.length) {
    throw new UserError(`${labelsFile}: has ${labels.length} labels but ${onnxPath} outputs ${outputSize} values`);
  }
  const int8Path = path.join(dir, INT8_FILE);
  return { dir, meta, labels, onnxPath, backboneOnnxPath: path.join(dir, 'backbone.onnx'), int8Path: fs.existsSync(int8Path) ? int8Path : undefined };
}

/**
 * Writes all files into a temp sibling folder, then renames it into place (replacing an old
 * package of the same name only once the new one is complete). On error the temp is removed.
 */
export async function writeModelPackage(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  await fsp.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await fsp.mkdir(tmp);
    for (const [name, data] of Object.entries(files)) {
      const target = path.join(tmp, name);
      if (!target.startsWith(tmp + path.sep)) throw new Error(`package file name escapes the folder: ${name}`);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, data);
    }
    if (fs.existsSync(dir)) {
      const old = `${tmp}.old`;
      await fsp.rename(dir, old);
      await fsp.rename(tmp, dir);
      await fsp.rm(old, { recursive: true, force: true });
    } else {
      await fsp.rename(tmp, dir);
    }
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Sub-folders of `root` holding a meta.json (no validation: `readModelPackage` does that). */
export function listModelPackages(root = 'models'): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(root, e.name, 'meta.json')))
    .map((e) => path.join(root, e.name))
    .sort();
}
