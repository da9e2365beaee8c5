// tfjs models in a package folder as model.json + weights.bin. Plain @tensorflow/tfjs has no
// file:// handler, so these are small custom tf.io handlers over bytes we write atomically.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { UserError } from '../kit/errors.ts';
import { registerCaffeLayer } from './tfjs.ts';
import type { Tfjs } from './tfjs.ts';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** The two package files for a tfjs model, as bytes for `writeModelPackage`. */
export async function tfjsModelFiles(model: TF.LayersModel): Promise<{ 'model.json': string; 'weights.bin': Uint8Array }> {
  let files: { 'model.json': string; 'weights.bin': Uint8Array } | undefined;
  await model.save({
    save: async (a: TF.io.ModelArtifacts): Promise<TF.io.SaveResult> => {
      const data = a.weightData;
      const bytes = data === undefined ? new Uint8Array(0) : Array.isArray(data) ? Buffer.concat(data.map((b) => new Uint8Array(b))) : new Uint8Array(data);
      const json = {
        format: 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
      };
      files = { 'model.json': JSON.stringify(json), 'weights.bin': bytes };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!files) throw new Error('tfjs did not hand over the model artifacts');
  return files;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
}

/** Loads `<dir>/model.json` + its weight files into a tf.LayersModel. */
export async function loadTfjsModel(tf: Tfjs, dir: string): Promise<TF.LayersModel> {
  registerCaffeLayer(tf);
  const file = path.join(dir, TFJS_MODEL_FILE);
  let json: ModelJson;
  try {
    json = JSON.parse(await fsp.readFile(file, 'utf8')) as ModelJson;
  } catch (err) {
    throw new UserError(`${file}: cannot read the tfjs model (${(err as Error).message.split('\n')[0]})`);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const parts = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => fsp.readFile(path.join(dir, p))));
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
  });
}
