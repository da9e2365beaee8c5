// The frozen backbone's weights for training (`--weights`, resolved by engine/backbone-weights.ts),
// and a temporary backbone-only package so the engines (which open packages) can run it.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BackboneWeights } from '../engine/backbone-weights.ts';
import { backboneLayers } from '../engine/backbones.ts';
import type { BackboneName } from '../engine/backbones.ts';
import { exportOnnx } from '../engine/onnx-export.ts';
import { modelInput } from '../engine/package.ts';
import { removeOnInterrupt, removeStaleTemps } from '../kit/temp-files.ts';
import type { ModelMeta, ModelPackage } from '../engine/package.ts';

export interface StagedBackbone {
  pkg: ModelPackage;
  remove(): Promise<void>;
}

/**
 * Writes backbone.onnx (and, for the tfjs engine, the backbone as model.json) into a temp folder
 * and describes it as a package whose `graph: 'backbone'` is that file.
 */
export async function stageBackbone(backbone: BackboneName, bw: BackboneWeights, height: number, width: number, withTfjs: boolean): Promise<StagedBackbone> {
  // Named with our pid: the next run removes the folders of runs killed outright (kill -9).
  await removeStaleTemps(os.tmpdir(), (name) => (/^ss-backbone-\d+-/.test(name) ? Number(name.split('-')[2]) : null));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `ss-backbone-${process.pid}-`));
  const untrack = removeOnInterrupt(dir); // Ctrl-C (59 MB for VGG16) leaves nothing in /tmp
  try {
    return await writeStaged(dir, backbone, bw, height, width, withTfjs, untrack);
  } catch (err) {
    untrack();
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function writeStaged(
  dir: string,
  backbone: BackboneName,
  bw: BackboneWeights,
  height: number,
  width: number,
  withTfjs: boolean,
  untrack: () => void,
): Promise<StagedBackbone> {
  const layers = backboneLayers(backbone);
  const backboneOnnxPath = path.join(dir, 'backbone.onnx');
  await fs.writeFile(backboneOnnxPath, exportOnnx({ height, width, layers, weights: bw.weights, doc: `${backbone} ${bw.description}` }));
  if (withTfjs) {
    const { loadTfjs, buildTfjsModel } = await import('../engine/tfjs.ts');
    const { tfjsModelFiles } = await import('../engine/tfjs-io.ts');
    const { tf } = await loadTfjs();
    const model = buildTfjsModel(tf, layers, bw.weights, { height, width });
    const files = await tfjsModelFiles(model);
    model.dispose();
    await fs.writeFile(path.join(dir, 'model.json'), files['model.json']);
    await fs.writeFile(path.join(dir, 'weights.bin'), files['weights.bin']);
  }
  const meta: ModelMeta = {
    name: 'backbone',
    created: new Date().toISOString(),
    input: modelInput(height, width),
    preprocessing: 'caffe',
    backbone,
    weights: bw.description,
    head: { width: 0, depth: 0, dropout: 0 },
    classes: 1,
  };
  return {
    pkg: { dir, meta, labels: [], onnxPath: backboneOnnxPath, backboneOnnxPath },
    remove: async () => {
      await fs.rm(dir, { recursive: true, force: true });
      untrack();
    },
  };
}
