// Keras .h5 import: (a) the ImageNet VGG16 notop weights file (one group per layer at the root),
// (b) a full Keras 2 model (`model_config` + `model_weights/`). Every shape is checked before
// anything is returned, so a bad file never yields a partial model.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { backboneLayers, BACKBONES } from './backbones.ts';
import type { BackboneName } from './backbones.ts';
import { floatData, isDataset, isGroup, openH5, stringAttr, stringListAttr } from './h5.ts';
import type { H5File, H5Group } from './h5.ts';
import { parseModelConfig } from './keras-config.ts';
import { md5File, VGG16_NOTOP_FILE, VGG16_NOTOP_MD5 } from './keras-files.ts';
import { checkWeights, hasWeights } from './layers.ts';
import type { LayerSpec, LayerWeights, WeightSet } from './layers.ts';

export interface KerasImport {
  kind: 'notop' | 'model';
  backbone: BackboneName;
  /** Backbone layers, then the head (for a full model). */
  layers: LayerSpec[];
  weights: WeightSet;
  /** Fixed input size from the model's config (full models), else null. */
  inputSize: { height: number; width: number } | null;
  md5: string;
  /** For meta.weights: 'imagenet (keras notop h5, md5 …)' or 'keras-h5:<file> (md5 …)'. */
  description: string;
}

/** kernel then bias of one layer group, found through its `weight_names` attribute. */
function readLayerWeights(file: string, group: H5Group, layer: string): LayerWeights {
  const names = stringListAttr(group, 'weight_names');
  if (names?.length !== 2) {
    throw new UserError(`${file}: layer ${layer} should list 2 weight_names (kernel, bias), found ${names?.length ?? 0}`);
  }
  const [k, b] = names.map((n) => group.get(n));
  if (!isDataset(k) || !isDataset(b)) throw new UserError(`${file}: layer ${layer}: weights ${names.join(', ')} are missing`);
  try {
    return { kernel: floatData(k), kernelShape: k.shape ?? [], bias: floatData(b) };
  } catch (err) {
    throw new UserError(`${file}: layer ${layer}: ${(err as Error).message}`);
  }
}

function collect(file: string, layers: LayerSpec[], groupOf: (name: string) => unknown): WeightSet {
  const weights: WeightSet = new Map();
  for (const l of layers.filter(hasWeights)) {
    const g = groupOf(l.name);
    if (!isGroup(g)) throw new UserError(`${file}: no weights group for layer ${l.name}`);
    weights.set(l.name, readLayerWeights(file, g, l.name));
  }
  return weights;
}

/** Which backbone the first layers are (by Keras names and filter counts). */
function matchBackbone(layers: LayerSpec[]): BackboneName | null {
  for (const name of BACKBONES) {
    const bb = backboneLayers(name);
    const same = bb.every((l, i) => {
      const o = layers[i];
      return o && o.type === l.type && o.name === l.name && (l.type !== 'conv2d' || (o.type === 'conv2d' && o.filters === l.filters));
    });
    if (same && layers[bb.length]?.type !== 'conv2d') return name;
  }
  return null;
}

function readNotop(file: string, f: H5File): Omit<KerasImport, 'md5' | 'description'> {
  // tiny when block1_conv1 has 16 filters, else VGG16 (the file this path exists for).
  const first = f.get('block1_conv1');
  const k = isGroup(first) ? stringListAttr(first, 'weight_names')?.[0] : undefined;
  const ds = first && k && isGroup(first) ? first.get(k) : null;
  const backbone: BackboneName = isDataset(ds) && ds.shape?.[3] === 16 ? 'tiny' : 'vgg16';
  const layers = backboneLayers(backbone);
  const weights = collect(file, layers, (n) => f.get(n));
  // Shapes don't depend on the input size for convs: any size ≥ 32 gives the same kernels.
  const problem = checkWeights(layers, [224, 224, 3], weights);
  if (problem) throw new UserError(`${file}: does not match ${backbone.toUpperCase()}: ${problem}`);
  return { kind: 'notop', backbone, layers, weights, inputSize: null };
}

function readFullModel(file: string, f: H5File, configJson: string, size?: { height: number; width: number }): Omit<KerasImport, 'md5' | 'description'> {
  let parsed: ReturnType<typeof parseModelConfig>;
  try {
    parsed = parseModelConfig(configJson);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  const { layers, inputSize } = parsed;
  const backbone = matchBackbone(layers);
  if (!backbone) throw new UserError(`${file}: the model does not start with a VGG16 (or tiny) backbone with Keras layer names`);
  const root = f.get('model_weights');
  if (!isGroup(root)) throw new UserError(`${file}: no model_weights group (not a full Keras model file)`);
  const saved = stringListAttr(root, 'layer_names') ?? [];
  const missing = layers.filter(hasWeights).find((l) => !saved.includes(l.name));
  if (missing) throw new UserError(`${file}: model_weights/layer_names does not list layer ${missing.name}`);
  const weights = collect(file, layers, (n) => root.get(n));
  const hw = size ?? (inputSize ? { height: inputSize[0], width: inputSize[1] } : null);
  if (!hw) throw new UserError(`${file}: the model's input size is not fixed in model_config: pass --size HxW`);
  const problem = checkWeights(layers, [hw.height, hw.width, 3], weights);
  if (problem) throw new UserError(`${file}: ${problem}`);
  return { kind: 'model', backbone, layers, weights, inputSize: hw };
}

/** Reads either Keras layout. `size` overrides/sets the input size of a full model. */
export async function readKerasH5(file: string, opts: { size?: { height: number; width: number } } = {}): Promise<KerasImport> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UserError(`${file}: no such file`);
  const md5 = md5File(file);
  const known = path.basename(file) === VGG16_NOTOP_FILE;
  if (known && md5 !== VGG16_NOTOP_MD5) {
    throw new UserError(`${file}: md5 ${md5} is not the published ${VGG16_NOTOP_MD5} (corrupt or incomplete download)`);
  }
  const f = await openH5(file);
  try {
    const config = stringAttr(f, 'model_config');
    const result = config ? readFullModel(file, f, config, opts.size) : readNotop(file, f);
    const description = md5 === VGG16_NOTOP_MD5 ? `imagenet (keras notop h5, md5 ${md5})` : `keras-h5:${path.basename(file)} (md5 ${md5})`;
    return { ...result, md5, description };
  } finally {
    f.close();
  }
}
