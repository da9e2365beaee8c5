// End-to-end training speed: bn5 at 160x120, batch 32, Adam, random frames, on every tfjs backend
// that loads here and, when Debian's python3-torch is installed, the same network in PyTorch on
// the same threads. Rounds alternate tfjs and PyTorch so load on the machine hits both alike;
// the figure that counts is the ratio within a round.
import type * as TF from '@tensorflow/tfjs';
import { backboneLayers, headLayers, randomWeights } from '../engine/backbones.ts';
import { buildTfjsModel, loadTfjs, type Tfjs } from '../engine/tfjs.ts';
import { seededRandom } from '../kit/rng.ts';
import { describeCpu } from '../kit/cpu.ts';
import { runPeer, torchPython } from './torch-peer.ts';

const CLASSES = 8;

export interface TrainingBenchOptions {
  width: number;
  height: number;
  batch: number;
  steps: number;
  rounds: number;
  threads: number;
}

export interface TrainingRound {
  tfjs: number;
  pytorch: number | null;
}

/** Images/s of `steps` training steps after 2 warm-up steps, on the backend tfjs runs now. */
async function tfjsTraining(tf: Tfjs, o: TrainingBenchOptions, steps: number): Promise<number> {
  const layers = [...backboneLayers('bn5'), ...headLayers({ classes: CLASSES, depth: 0, pool: 'gap' })];
  const model: TF.LayersModel = buildTfjsModel(
    tf,
    layers,
    randomWeights(layers, [o.height, o.width, 3], 1),
    { height: o.height, width: o.width },
    { batchNorm: true },
  );
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const rand = seededRandom(2);
  const x = tf.tensor4d(
    Int32Array.from({ length: o.batch * o.height * o.width * 3 }, () => Math.floor(rand() * 256)),
    [o.batch, o.height, o.width, 3],
    'int32',
  );
  const y = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: o.batch }, (_, i) => i % CLASSES),
      'int32',
    ),
    CLASSES,
  );
  try {
    for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
    const t = performance.now();
    for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
    return (steps * o.batch * 1000) / (performance.now() - t);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

async function pytorchTraining(py: string, o: TrainingBenchOptions): Promise<number> {
  const args = ['--height', String(o.height), '--width', String(o.width), '--batch', String(o.batch), '--steps', String(o.steps)];
  const more = ['--threads', String(o.threads), '--classes', String(CLASSES), '--channels', '16,32,64,128,256'];
  return (await runPeer<{ imagesPerSecond: number }>(py, 'train_peer.py', [...args, ...more])).imagesPerSecond;
}

export async function runTrainingBench(o: TrainingBenchOptions, say: (line: string) => void): Promise<TrainingRound[]> {
  say(`\ntraining end to end: bn5 + GAP head at ${o.width}x${o.height}, batch ${o.batch}, Adam, random frames, ${o.steps} timed steps per figure`);
  say(`cpu flags: ${describeCpu()}`);
  const { tf, backend, threads } = await loadTfjs();
  const py = await torchPython();
  if (!py) say('pytorch: not installed (apt-get install python3-torch): no peer figure');
  const rounds: TrainingRound[] = [];
  for (let r = 1; r <= o.rounds; r++) {
    const tfjs = await tfjsTraining(tf, o, o.steps);
    const pytorch = py ? await pytorchTraining(py, { ...o, threads }) : null;
    rounds.push({ tfjs, pytorch });
    const ratio = pytorch ? ` = ${(tfjs / pytorch).toFixed(2)}x PyTorch` : '';
    say(
      `round ${r}: ${backend} (${threads} threads) ${tfjs.toFixed(1)} images/s${pytorch ? `, pytorch (${threads} threads) ${pytorch.toFixed(1)}` : ''}${ratio}`,
    );
  }
  // The plain-JS backend is ~100x slower: one step of batch 2 says so without taking many minutes.
  if (backend !== 'tfjs-cpu' && (await tf.setBackend('cpu'))) {
    say(`tfjs-cpu (plain JS, 1 thread, batch 2): ${(await tfjsTraining(tf, { ...o, batch: 2 }, 1)).toFixed(2)} images/s`);
    await tf.setBackend(backend.replace(/^tfjs-/, ''));
  }
  const ratios = rounds.filter((r) => r.pytorch).map((r) => r.tfjs / r.pytorch!);
  if (ratios.length) say(`median ratio ${backend} / pytorch: ${ratios.sort((a, b) => a - b)[ratios.length >> 1]!.toFixed(2)}`);
  return rounds;
}
