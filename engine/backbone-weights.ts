// Where backbone weights come from, for `train --weights <spec>`: `random[:seed]`, a Keras .h5
// (notop or full model), a folder written by `models import-keras`/`models fetch` (backbone.json),
// or a trained model package (its tfjs weights). One function so every report can say which.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { backboneLayers, randomWeights } from './backbones.ts';
import type { BackboneName } from './backbones.ts';
import { checkWeights, hasWeights } from './layers.ts';
import type { WeightSet } from './layers.ts';
import { decodeWeights, encodeWeights, WEIGHTS_DATA, WEIGHTS_MANIFEST } from './weights-file.ts';

export const BACKBONE_META = 'backbone.json';

export interface BackboneMeta {
  kind: 'backbone';
  backbone: BackboneName;
  weights: string;
  created: string;
  source: string;
}

export interface BackboneWeights {
  backbone: BackboneName;
  weights: WeightSet;
  /** Goes into meta.weights: 'random(seed=1)', 'imagenet (keras notop h5, md5 …)', … */
  description: string;
}

/** Files of a backbone-only folder (no head, no labels): meta + weights. */
export function backboneFiles(meta: BackboneMeta, weights: WeightSet): Record<string, string | Uint8Array> {
  const { manifest, data } = encodeWeights(weights);
  return { [BACKBONE_META]: JSON.stringify(meta, null, 2), [WEIGHTS_MANIFEST]: manifest, [WEIGHTS_DATA]: data };
}

/** The backbone's layers out of `all`, each present and shaped as the backbone needs. */
function onlyBackbone(name: BackboneName, all: WeightSet, from: string): WeightSet {
  const out: WeightSet = new Map();
  for (const l of backboneLayers(name).filter(hasWeights)) {
    const w = all.get(l.name);
    if (!w) throw new UserError(`${from}: has no weights for ${name} layer ${l.name}`);
    out.set(l.name, w);
  }
  // Conv kernel shapes do not depend on the input size: any size the backbone accepts will do.
  const problem = checkWeights(backboneLayers(name), [224, 224, 3], out);
  if (problem) throw new UserError(`${from}: ${problem}`);
  return out;
}

/**
 * `spec`: `random` | `random:<seed>` | `<file>.h5` | `<folder>` (backbone.json or a model package).
 * Throws UserError when the weights are for another backbone than `backbone`.
 */
export async function loadBackboneWeights(spec: string, backbone: BackboneName): Promise<BackboneWeights> {
  const random = /^random(?::(\d+))?$/.exec(spec);
  if (random) {
    const seed = random[1] === undefined ? 1 : Number(random[1]);
    return { backbone, weights: randomWeights(backboneLayers(backbone), [224, 224, 3], seed), description: `random(seed=${seed})` };
  }
  if (!fs.existsSync(spec)) throw new UserError(`--weights ${spec}: no such file or folder (use random[:seed], a .h5 file or an imported folder)`);
  const mismatch = (found: string): UserError =>
    new UserError(`--weights ${spec}: holds ${found} weights, but the backbone is ${backbone} (pass --backbone ${found})`);
  if (fs.statSync(spec).isFile()) {
    const { readKerasH5 } = await import('./keras-h5.ts');
    const k = await readKerasH5(spec);
    if (k.backbone !== backbone) throw mismatch(k.backbone);
    return { backbone, weights: onlyBackbone(backbone, k.weights, spec), description: k.description };
  }
  const metaFile = path.join(spec, BACKBONE_META);
  if (fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as BackboneMeta;
    if (meta.backbone !== backbone) throw mismatch(meta.backbone);
    return { backbone, weights: onlyBackbone(backbone, decodeWeights(spec), spec), description: meta.weights };
  }
  const { readModelPackage } = await import('./package.ts');
  const pkg = await readModelPackage(spec);
  if (pkg.meta.backbone !== backbone) throw mismatch(pkg.meta.backbone);
  const { loadTfjs, readTfjsWeights } = await import('./tfjs.ts');
  const { loadTfjsModel } = await import('./tfjs-io.ts');
  const { tf } = await loadTfjs();
  const model = await loadTfjsModel(tf, spec);
  try {
    const weights = onlyBackbone(backbone, readTfjsWeights(model, backboneLayers(backbone)), spec);
    return { backbone, weights, description: `${pkg.meta.weights}, from package ${path.basename(path.resolve(spec))}` };
  } finally {
    model.dispose();
  }
}
