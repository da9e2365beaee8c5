// `bench` and `bench-train`: the benchmarks are rigs, not the product, so the composition root
// (cli/main.ts) registers them from here. Heavy modules load inside the actions.
import { type Command, Option } from 'commander';
import type { BackboneName } from '../engine/backbones.ts';
import { DEVICE_KINDS, type DeviceKind, PRECISIONS } from '../engine/engine.ts';
import { NON_NEGATIVE, numberFlag, parseSize, POSITIVE, POSITIVE_INT, WHOLE_NUMBER } from '../kit/flags.ts';
import { DEMO } from '../server/commands.ts';
import { backboneFlag } from '../training/flags.ts';
import type { VodBenchOptions } from './vod.ts';

const deviceOption = (): Option => new Option('--device <name>', 'ONNX Runtime execution device').choices([...DEVICE_KINDS]).default('auto');

function registerBench(program: Command): void {
  program
    .command('bench')
    .description('per-stage benchmark of the live pipeline: capture, crop, inference, smoothing, publish, end to end, latency, FLOPs vs peak')
    .option('--model <package>', 'model package folder', DEMO.model)
    .option('--source <spec>', 'frame source', DEMO.source)
    .option('--seconds <n>', 'seconds of end-to-end run', '20')
    .option('--engine <name>', 'onnx | tfjs', 'onnx')
    .addOption(deviceOption())
    .addOption(
      new Option('--precision <p>', 'int8 or fp32 graph (auto: int8 when the package has one and the CPU has VNNI)').choices([...PRECISIONS]).default('auto'),
    )
    .option('--threads <n>', 'engine threads (default: all cores)')
    .option('--batch <list>', 'batch sizes for inference-only timing', '1,8')
    .option('--region <name=x,y,w,h>', 'also time crops for these regions', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--glass', 'also measure capture → paint in headless Chromium (synthetic source, built overlay)')
    .option('--setups <n>', 'also run n synthetic setups at 30 fps on the one engine, next to one alone (0: skip)', '4')
    .option('--json', 'print one JSON object instead of the table')
    .action(async (flags: Record<string, unknown>) => {
      const { runBenchCommand } = await import('./pipeline.ts');
      await runBenchCommand(flags);
    });
}

function registerBenchTrain(program: Command): void {
  program
    .command('bench-train')
    .description(
      'training speed: feature extraction images/s per engine and threads (VGG16), int8 against fp32, then bn5 trained end to end on tfjs beside PyTorch',
    )
    .option('--backbone <name>', 'feature extraction: vgg16, bn5 or tiny', backboneFlag, 'vgg16')
    .addOption(deviceOption())
    .option('--size <WxH>', 'feature extraction: input size', '224x224')
    .option('--warmup <n>', 'untimed runs first', numberFlag('--warmup', POSITIVE_INT), 3)
    .option('--runs <n>', 'timed runs (batch 1)', numberFlag('--runs', POSITIVE_INT), 20)
    .option('--tfjs-runs <n>', 'timed runs on tfjs (slower)', numberFlag('--tfjs-runs', POSITIVE_INT), 5)
    .option('--int8-rounds <n>', 'feature extraction: alternating fp32/int8 rounds on ONNX Runtime (0: skip)', numberFlag('--int8-rounds', WHOLE_NUMBER), 3)
    .option('--train-size <WxH>', 'end-to-end training: input size', '160x120')
    .option('--train-batch <n>', 'end-to-end training: batch', numberFlag('--train-batch', POSITIVE_INT), 32)
    .option('--train-steps <n>', 'end-to-end training: timed steps per figure', numberFlag('--train-steps', POSITIVE_INT), 6)
    .option('--rounds <n>', 'end-to-end training: alternating tfjs/PyTorch rounds', numberFlag('--rounds', POSITIVE_INT), 3)
    .option('--no-features', 'skip the feature-extraction part')
    .action(
      async (f: {
        backbone: BackboneName;
        size: string;
        warmup: number;
        runs: number;
        tfjsRuns: number;
        int8Rounds: number;
        trainSize: string;
        trainBatch: number;
        trainSteps: number;
        rounds: number;
        features: boolean;
        device: DeviceKind;
      }) => {
        const os = await import('node:os');
        const { checkDevice } = await import('../engine/engine-onnx.ts');
        await checkDevice(f.device); // one line, before minutes of CPU figures
        if (f.features) {
          const { runBenchTrain } = await import('./train.ts');
          await runBenchTrain({ ...f, ...parseSize(f.size) });
        }
        const { runTrainingBench } = await import('./train-e2e.ts');
        const size = parseSize(f.trainSize, { flag: '--train-size', minWidth: 32 });
        const say = (line: string): void => void process.stdout.write(`${line}\n`);
        await runTrainingBench({ ...size, batch: f.trainBatch, steps: f.trainSteps, rounds: f.rounds, threads: os.availableParallelism() }, say);
      },
    );
}

function registerBenchTrainMemory(program: Command): void {
  program
    .command('bench-train-memory')
    .description("train's peak RSS on two synthetic sets of different size (720 and 7,200 frames), each in its own process, and their ratio")
    .option('--counts <list>', 'frames per set (multiples of 144)', '720,7200')
    .option('--backbone <name>', 'vgg16, bn5 or tiny (VGG16 at 224 extracts ~5 frames/s on 2 cores)', backboneFlag, 'tiny')
    .option('--size <WxH>', 'train --size', '224x224')
    .option('--epochs <n>', 'train --epochs', numberFlag('--epochs', POSITIVE_INT), 3)
    .option('--cache <dir>', 'where the synthetic sets are kept between runs', '.cache/bench-train-memory')
    .action(async (f: { counts: string; backbone: string; size: string; epochs: number; cache: string }) => {
      const { parseCounts, runTrainMemoryBench } = await import('./train-memory.ts');
      parseSize(f.size);
      await runTrainMemoryBench({ ...f, counts: parseCounts(f.counts) }, (line) => void process.stdout.write(`${line}\n`));
    });
}

function registerBenchVod(program: Command): void {
  program
    .command('bench-vod')
    .description('`vod` on a long synthetic-game recording: frames/s, and chapter boundaries against its known switches')
    .option('--model <package>', 'model package folder', DEMO.model)
    .option('--seconds <n>', 'length of the recording', numberFlag('--seconds', POSITIVE), 600)
    .option('--video-fps <n>', "the recording's frame rate", numberFlag('--video-fps', POSITIVE_INT), 30)
    .option('--switch-seconds <s>', 'seconds between character switches in the recording', numberFlag('--switch-seconds', POSITIVE), 20)
    .option('--fps <n>', 'frames analysed per second of video (vod --fps)', numberFlag('--fps', POSITIVE), 10)
    .option('--min-segment <s>', 'vod --min-segment', numberFlag('--min-segment', NON_NEGATIVE), 10)
    .option('--seed <n>', "the recording's seed", numberFlag('--seed', WHOLE_NUMBER), 1)
    .option('--cache <dir>', 'where the recording is kept between runs', '.cache/bench-vod')
    .action(async (f: VodBenchOptions) => {
      const { runVodBench } = await import('./vod.ts');
      await runVodBench(f, (line) => void process.stdout.write(`${line}\n`));
    });
}

function registerBenchSoak(program: Command): void {
  program
    .command('bench-soak')
    .description('faults against a running server: ffmpeg kills, a client that stops reading, connects, a ping flood, a stalled stream (Linux; minutes)')
    .option('--model <package>', 'model package folder', DEMO.model)
    .option('--kills <n>', 'ffmpeg kills, spread over --seconds', numberFlag('--kills', POSITIVE_INT), 100)
    .option('--seconds <n>', 'length of the kill phase', numberFlag('--seconds', POSITIVE_INT), 300)
    .option('--clients <n>', 'WebSocket clients (one of them stops reading)', numberFlag('--clients', POSITIVE_INT), 50)
    .option('--connects <n>', 'connects and disconnects during the kill phase', numberFlag('--connects', POSITIVE_INT), 200)
    .option('--json', 'print one JSON object instead of the lines')
    .action(async (f: { model: string; kills: number; seconds: number; clients: number; connects: number; json?: boolean }) => {
      const { runSoak, printSoak } = await import('./soak.ts');
      const report = await runSoak({ ...f, clients: Math.max(2, f.clients) });
      if (f.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printSoak(report);
    });
}

export function registerBenchCommands(program: Command): void {
  registerBench(program);
  registerBenchTrain(program);
  registerBenchTrainMemory(program);
  registerBenchSoak(program);
  registerBenchVod(program);
}
