// Where the frozen backbone's weights come from (`--weights`), and a temporary backbone-only
// package so the engines (which open packages) can run it for feature extraction.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../cli/run.ts';
import { backboneLayers, randomWeights } from '../models/backbones.ts';
import type { BackboneName } from '../models/backbones.ts';
import type { LayerSpec, WeightSet } from '../models/layers.ts';
import { checkWeights } from '../models/layers.ts';
import { exportOnnx } from '../models/onnx-export.ts';
import { modelInput, readModelPackage } from '../models/package.ts';
import type { ModelMeta, ModelPackage } from '../models/package.ts';

export interface BackboneWeights {
  weights: WeightSet;
  /** For meta.json's "weights" and the feature-cache key: says exactly which weights. */
  id: string;
}

/** `random[:seed]`, a model package folder (its backbone layers), or a Keras `.h5` file. */
export async function resolveBackboneWeights(spec: string, backbone: BackboneName, height: number, width: number): Promise<BackboneWeights> {
  const layers = backboneLayers(backbone);
  const m = /^random(?::(\d+))?$/.exec(spec);
  if (m) {
    const seed = m[1] === undefined ? 1 : Number(m[1]);
    return { weights: randomWeights(layers, [height, width, 3], seed), id: `random(seed=${seed})` };
  }
  const stat = await fs.stat(spec).catch(() => undefined);
  if (!stat) throw new UserError(`--weights ${spec}: not 'random[:seed]', and no such file or model folder`);
  const found = stat.isDirectory() ? await fromPackage(spec, backbone, layers) : fromH5(spec);
  const problem = checkWeights(layers, [height, width, 3], found.weights);
  if (problem) throw new UserError(`--weights ${spec}: ${problem}`);
  return found;
}

async function fromPackage(dir: string, backbone: BackboneName, layers: LayerSpec[]): Promise<BackboneWeights> {
  const pkg = await readModelPackage(dir);
  if (pkg.meta.backbone !== backbone) {
    throw new UserError(`--weights ${dir}: its backbone is ${pkg.meta.backbone}, not --backbone ${backbone}`);
  }
  const { loadTfjs, readTfjsWeights } = await import('../models/tfjs.ts');
  const { loadTfjsModel } = await import('../models/tfjs-io.ts');
  const { tf } = await loadTfjs();
  const model = await loadTfjsModel(tf, dir);
  try {
    return { weights: readTfjsWeights(model, layers), id: `${pkg.meta.weights} via ${path.basename(path.resolve(dir))}` };
  } finally {
    model.dispose();
  }
}

/** Keras files go through `models import-keras` (one importer, shape checks, md5): use its package. */
function fromH5(file: string): never {
  throw new UserError(
    `--weights ${file}: a Keras file is imported once with \`smashsight models import-keras ${file}\`; pass the model folder it writes`,
  );
}

export interface StagedBackbone {
  pkg: ModelPackage;
  remove(): Promise<void>;
}

/**
 * Writes backbone.onnx (and, for the tfjs engine, the backbone as model.json) into a temp folder
 * and describes it as a package whose `graph: 'backbone'` is that file.
 */
export async function stageBackbone(
  backbone: BackboneName,
  bw: BackboneWeights,
  height: number,
  width: number,
  withTfjs: boolean,
): Promise<StagedBackbone> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ss-backbone-'));
  const layers = backboneLayers(backbone);
  const backboneOnnxPath = path.join(dir, 'backbone.onnx');
  await fs.writeFile(backboneOnnxPath, exportOnnx({ height, width, layers, weights: bw.weights, doc: `${backbone} ${bw.id}` }));
  if (withTfjs) {
    const { loadTfjs, buildTfjsModel } = await import('../models/tfjs.ts');
    const { tfjsModelFiles } = await import('../models/tfjs-io.ts');
    const { tf } = await loadTfjs();
    const model = buildTfjsModel(tf, layers, bw.weights, { height, width });
    const files = await tfjsModelFiles(model);
    model.dispose();
    await fs.writeFile(path.join(dir, 'model.json'), files['model.json']);
    await fs.writeFile(path.join(dir, 'weights.bin'), files['weights.bin']);
  }
  const meta: ModelMeta = {
    name: 'backbone', created: new Date().toISOString(), input: modelInput(height, width), preprocessing: 'caffe',
    backbone, weights: bw.id, head: { width: 0, depth: 0, dropout: 0 }, classes: 1,
  };
  return {
    pkg: { dir, meta, labels: [], onnxPath: backboneOnnxPath, backboneOnnxPath },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
