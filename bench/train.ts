// `npm run bench:train`: feature-extraction images/s of a backbone (VGG16 at 224x224 by default)
// on each engine that loads here: ONNX Runtime at 1 and 2 threads (and all cores when more),
// then tfjs on its best backend, then int8 against fp32 beside PyTorch (bench/int8.ts). Random weights: speed does
// not depend on their values.
import os from 'node:os';
import { loadBackboneWeights } from '../engine/backbone-weights.ts';
import type { BackboneName } from '../engine/backbones.ts';
import { openEngine } from '../engine/open-engine.ts';
import type { DeviceKind, Engine, EngineOptions } from '../engine/engine.ts';
import { stageBackbone } from '../training/backbone-source.ts';

export interface BenchTrainOptions {
  backbone: BackboneName;
  width: number;
  height: number;
  warmup: number;
  runs: number;
  tfjsRuns: number;
  /** Alternating fp32/int8 rounds on ONNX Runtime (0: none; always on the CPU, where int8 pays). */
  int8Rounds: number;
  /** ONNX Runtime's device for the float figures. */
  device?: DeviceKind;
}

export interface BenchRow {
  engine: string;
  provider: string;
  threads: number;
  imagesPerSecond: number;
  runs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Batch-1 runs on varied frames: `warmup` untimed, then the median of `runs` timed. */
export async function timeEngine(engine: Engine, warmup: number, runs: number): Promise<number> {
  const frame = new Uint8Array(engine.width * engine.height * 3);
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    for (let j = 0; j < frame.length; j += 97) frame[j] = (i * 31 + j) & 255;
    const t = performance.now();
    await engine.run(frame, 1);
    if (i >= warmup) times.push(performance.now() - t);
  }
  return 1000 / median(times);
}

export async function runBenchTrain(o: BenchTrainOptions): Promise<BenchRow[]> {
  const weights = await loadBackboneWeights('random:1', o.backbone);
  const staged = await stageBackbone(o.backbone, weights, o.height, o.width, true);
  const say = (s: string): boolean => process.stdout.write(`${s}\n`);
  say(`bench-train: ${o.backbone} without top at ${o.width}x${o.height}, RANDOM weights (speed only), batch 1, ${o.warmup} warm-up runs, median of timed runs`);
  say(
    `machine: ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, load average ${os.loadavg()[0].toFixed(2)} (other work on these cores slows every figure)`,
  );
  const cores = os.availableParallelism();
  const plans: { opts: EngineOptions; runs: number }[] = [...new Set([1, 2, cores])]
    .filter((t) => t <= Math.max(cores, 2))
    .map((threads) => ({ opts: { engine: 'onnx', device: o.device ?? 'auto', threads, graph: 'backbone' }, runs: o.runs }));
  plans.push({ opts: { engine: 'tfjs', graph: 'backbone' }, runs: o.tfjsRuns });
  const rows: BenchRow[] = [];
  try {
    for (const plan of plans) {
      let engine: Engine;
      try {
        engine = await openEngine(staged.pkg, plan.opts);
      } catch (err) {
        say(`${plan.opts.engine}: does not load here (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      try {
        const ips = await timeEngine(engine, o.warmup, plan.runs);
        rows.push({ engine: engine.name, provider: engine.provider, threads: engine.threads, imagesPerSecond: ips, runs: plan.runs });
        say(`${engine.name.padEnd(12)} provider ${engine.provider.padEnd(5)} threads ${engine.threads}: ${ips.toFixed(2)} images/s (${plan.runs} runs)`);
      } finally {
        await engine.dispose();
      }
    }
    if (o.int8Rounds > 0) {
      const { runInt8Bench } = await import('./int8.ts');
      const int8Opts = { threads: os.availableParallelism(), rounds: o.int8Rounds, warmup: o.warmup, runs: o.runs, vgg16Peer: o.backbone === 'vgg16' };
      await runInt8Bench(staged.pkg.backboneOnnxPath, { width: o.width, height: o.height }, int8Opts, say);
    }
  } finally {
    await staged.remove();
  }
  return rows;
}
