// tfjs engine: runs the package's tfjs model (model.json + weights.bin) on the best tfjs backend.
import type * as TF from '@tensorflow/tfjs';
import { announce, checkFrames } from './engine.ts';
import type { Engine } from './engine.ts';
import type { ModelPackage } from './package.ts';
import { loadTfjs } from './tfjs.ts';
import { loadTfjsModel } from './tfjs-io.ts';

/** The last backbone layer: where `graph: 'backbone'` cuts the stacked model. */
function backboneOutput(model: TF.LayersModel): TF.SymbolicTensor {
  const pools = model.layers.filter((l) => /^block\d+_pool$/.test(l.name));
  const last = pools[pools.length - 1];
  if (!last) throw new Error('the tfjs model has no blockN_pool layer to cut at');
  return last.output as TF.SymbolicTensor;
}

export async function openTfjsEngine(pkg: ModelPackage, graph: 'model' | 'backbone'): Promise<Engine> {
  const { tf, backend, notes, threads: used } = await loadTfjs();
  const full = await loadTfjsModel(tf, pkg.dir);
  const model = graph === 'backbone' ? tf.model({ inputs: full.inputs, outputs: backboneOutput(full) }) : full;
  const outShape = model.outputs[0]!.shape.slice(1) as number[];
  const outputSize = outShape.reduce((a, b) => a * b, 1);
  announce(`engine: ${backend}, ${used} thread${used === 1 ? '' : 's'}${notes.length ? `; ${notes.join('; ')}` : ''}`);
  const { height, width } = pkg.meta.input;
  const engine: Engine = {
    name: backend,
    provider: tf.getBackend(),
    threads: used,
    height,
    width,
    outputSize,
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      checkFrames(engine, frames, n);
      const x = tf.tensor4d(Int32Array.from(frames), [n, height, width, 3], 'int32');
      const y = model.predict(x) as TF.Tensor;
      const data = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      return new Float32Array(data);
    },
    async dispose(): Promise<void> {
      full.dispose();
    },
  };
  return engine;
}
