// Everything a model package holds that comes from (layers + weights): both ONNX graphs, the tfjs
// model, labels and meta — as bytes for `writeModelPackage`. Training and `import-keras` share it.
import type * as TF from '@tensorflow/tfjs';
import { backboneLayers } from './backbones.ts';
import type { LayerSpec, WeightSet } from './layers.ts';
import { exportOnnx } from './onnx-export.ts';
import type { ModelMeta } from './package.ts';
import { buildTfjsModel, loadTfjs } from './tfjs.ts';
import { tfjsModelFiles } from './tfjs-io.ts';

export interface PackageSource {
  meta: ModelMeta;
  labels: string[];
  /** Backbone then head, as the package's model.onnx runs them. */
  layers: LayerSpec[];
  weights: WeightSet;
  /** A tfjs model already holding these weights (training); built from layers+weights if absent. */
  tfjsModel?: TF.LayersModel;
}

export async function packageFiles(s: PackageSource): Promise<Record<string, Uint8Array | string>> {
  const { height, width } = s.meta.input;
  const nBackbone = backboneLayers(s.meta.backbone).length;
  const doc = `smashsight ${s.meta.name}: ${s.meta.backbone}, weights ${s.meta.weights}`;
  let model = s.tfjsModel;
  if (!model) {
    const { tf } = await loadTfjs();
    model = buildTfjsModel(tf, s.layers, s.weights, { height, width });
  }
  const tfjs = await tfjsModelFiles(model);
  if (!s.tfjsModel) model.dispose();
  return {
    'model.onnx': exportOnnx({ height, width, layers: s.layers, weights: s.weights, doc }),
    'backbone.onnx': exportOnnx({ height, width, layers: s.layers.slice(0, nBackbone), weights: s.weights, doc }),
    ...tfjs,
    'labels.json': JSON.stringify(s.labels, null, 2),
    'meta.json': JSON.stringify(s.meta, null, 2),
  };
}
