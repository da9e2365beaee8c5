// `smashsight bench`: every stage of the live pipeline timed on its own, then end to end, with
// the model's FLOPs against the measured peak of the same engine so each figure reads as a
// fraction of what this machine allows.
import os from 'node:os';
import { describeCpu } from '../kit/cpu.ts';
import { UserError } from '../kit/errors.ts';
import { checkNumber, POSITIVE, WHOLE_NUMBER } from '../kit/flags.ts';
import type { DeviceKind, EngineKind, Precision } from '../engine/engine.ts';
import { openEngine } from '../engine/open-engine.ts';
import { readModelPackage } from '../engine/package.ts';
import { isLiveSource, parseSourceSpec } from '../source/spec.ts';
import { parseRegionArg, type RegionSpec } from '../server/protocol.ts';
import { DEFAULT_SMOOTHING } from '../server/store.ts';
import type { ServeConfig } from '../server/serve.ts';
import { probeSourceSize } from '../server/source-size.ts';
import type { GlassResult } from './glass.ts';
import { replayFrames, runEndToEnd, type EndToEnd } from './pipeline-e2e.ts';
import { modelFlops, onnxPeakGflops, tfjsPeakGflops } from './pipeline-flops.ts';
import { formatSetups, runSetups, type SetupsReport } from './pipeline-setups.ts';
import { sampleRegions, timeCapture, timeCrop, timeInference, timeSmoothAndPublish, type InferenceTiming } from './pipeline-stages.ts';

export interface BenchOptions {
  model: string;
  source: string;
  seconds: number;
  engine: EngineKind;
  device: DeviceKind;
  precision: Precision;
  threads?: number;
  batches: number[];
  regions: RegionSpec[];
  glass: boolean;
  /** Synthetic setups sharing the engine, next to one alone (0: skip). */
  setups: number;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; flags: string; loadAverage: number };
  model: { dir: string; input: string; gflopsPerFrame: number };
  engine: { name: string; provider: string; threads: number; peakGflops: number; ceilingFps: number };
  capture: { source: string; size: string; fps: number; ffmpegCpu: number | null };
  crop: { regions: number; working: string; msPerFrame: number };
  inference: (InferenceTiming & { fractionOfPeak: number })[];
  smoothing: { usPerFrame: number };
  publish: { usPerFrame: number };
  endToEnd: { live: EndToEnd; saturated: EndToEnd & { inferenceFps: number; ratioToInference: number; batch: number } };
  glass: GlassResult | null;
  setups: SetupsReport | null;
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const loadAverage = os.loadavg()[0]!;
  const spec = parseSourceSpec(o.source);
  const pkg = await readModelPackage(o.model);
  // As `serve` runs it: in a worker thread, so the end-to-end figures include the overlap it buys.
  const engine = await openEngine(pkg, { engine: o.engine, device: o.device, threads: o.threads, precision: o.precision, worker: true });
  const model = { width: engine.width, height: engine.height };
  try {
    const flops = modelFlops(pkg.meta);
    log(`peak of a plain matmul on ${engine.name} (${engine.threads} threads)…`);
    const peakGflops = engine.name === 'onnxruntime' ? await onnxPeakGflops(engine.threads) : await tfjsPeakGflops();
    const ceilingFps = (peakGflops * 1e9) / flops;

    const inference: BenchReport['inference'] = [];
    for (const b of o.batches) {
      log(`inference, batch ${b}…`);
      const t = await timeInference(engine, b, 3);
      inference.push({ ...t, fractionOfPeak: t.framesPerSecond / ceilingFps });
    }
    log('capture (ffmpeg → frames, no model)…');
    const captureFps = 30;
    const capture = await timeCapture(spec, model, captureFps, 3);
    const sourceSize = await probeSourceSize(spec, captureFps);
    log('crop + scale, smoothing, publish…');
    const crop = await timeCrop(o.regions.length ? o.regions : sampleRegions(sourceSize), sourceSize, model);
    const sp = timeSmoothAndPublish(pkg.labels, o.regions.length);

    const config: ServeConfig = {
      model: o.model,
      source: o.source,
      captureFps,
      regions: o.regions,
      host: '127.0.0.1',
      port: 0,
      engine: o.engine,
      device: o.device,
      precision: o.precision,
      threads: o.threads,
      smoothing: DEFAULT_SMOOTHING,
      staticRoot: 'dist/overlay',
    };
    const half = Math.max(2, o.seconds / 2);
    log(`end to end, live source, ${half.toFixed(0)} s…`);
    const live = await runEndToEnd(config, engine, pkg.labels, half);
    const batch1 = inference.find((i) => i.batch === 1) ?? (await timeInference(engine, 1, 2));
    log(`end to end, replayed frames twice as fast as the model, alternating with inference alone, ${half.toFixed(0)} s…`);
    // with regions the live path crops full-size frames, so the replay needs frames of that size
    const replayed = o.regions.length ? (await timeCapture(spec, sourceSize, captureFps, 2)).frames : capture.frames;
    const saturatedRun = await runEndToEnd(config, engine, pkg.labels, half, replayFrames(replayed, 2));
    const inferenceFps = saturatedRun.inferenceFps ?? batch1.framesPerSecond;
    if (o.setups > 1) log(`${o.setups} setups on one engine vs one alone, 4 alternating rounds of ${(half / 2).toFixed(0)} s…`);
    const setups = o.setups > 1 ? await runSetups(config, engine, pkg.labels, o.setups, half / 2) : null;
    const glass = o.glass ? await (await import('./glass.ts')).measureGlass({ config, engine, labels: pkg.labels, seconds: half, log }) : null;
    return {
      machine: { cpu: os.cpus()[0]?.model ?? 'cpu', cores: os.availableParallelism(), flags: describeCpu(), loadAverage },
      model: { dir: pkg.dir, input: `${model.width}x${model.height}`, gflopsPerFrame: flops / 1e9 },
      engine: { name: engine.name, provider: engine.provider, threads: engine.threads, peakGflops, ceilingFps },
      capture: { source: o.source, size: `${model.width}x${model.height}`, fps: capture.framesPerSecond, ffmpegCpu: capture.ffmpegCpu },
      crop: { regions: crop.regions, working: `${crop.working.width}x${crop.working.height}`, msPerFrame: crop.msPerFrame },
      inference,
      smoothing: { usPerFrame: sp.smoothUs },
      publish: { usPerFrame: sp.publishUs },
      endToEnd: {
        live,
        saturated: {
          ...saturatedRun,
          inferenceFps,
          batch: Math.max(1, o.regions.length),
          ratioToInference: saturatedRun.pairRatio ?? saturatedRun.fpsOut / inferenceFps,
        },
      },
      glass,
      setups,
    };
  } finally {
    await engine.dispose();
  }
}

const f1 = (v: number | null): string => (v === null ? '–' : v.toFixed(1));
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function formatReport(r: BenchReport): string {
  const e2e = (name: string, e: EndToEnd): string =>
    `${name.padEnd(22)} ${f1(e.fpsOut)} frames/s out of ${f1(e.fpsIn)} in, ${e.dropped} dropped; capture→send p50/p95/p99 ` +
    `${f1(e.latencyMs.p50)}/${f1(e.latencyMs.p95)}/${f1(e.latencyMs.p99)} ms; CPU node ${f1(e.cpu.node)} ffmpeg ${f1(e.cpu.ffmpeg)} cores; ` +
    `peak ${f1(e.peakMiB.node)} MiB node, ${f1(e.peakMiB.ffmpeg)} MiB ffmpeg (${pct(e.fpsOut / r.engine.ceilingFps)} of ceiling)`;
  const s = r.endToEnd.saturated;
  return [
    `machine    ${r.machine.cpu} x${r.machine.cores}, load average ${r.machine.loadAverage.toFixed(2)} at the start; ${r.machine.flags}`,
    `model      ${r.model.dir} ${r.model.input}: ${r.model.gflopsPerFrame.toFixed(3)} GFLOP/frame`,
    `engine     ${r.engine.name} (${r.engine.provider}, ${r.engine.threads} threads): matmul peak ${r.engine.peakGflops.toFixed(0)} GFLOP/s → ceiling ${r.engine.ceilingFps.toFixed(0)} frames/s`,
    `capture    ${r.capture.source} at ${r.capture.size}: ${f1(r.capture.fps)} frames/s (ffmpeg ${f1(r.capture.ffmpegCpu)} cores)`,
    `crop+scale ${r.crop.regions} regions from ${r.crop.working}: ${r.crop.msPerFrame.toFixed(2)} ms/frame`,
    ...r.inference.map(
      (i) => `inference  batch ${i.batch}: ${i.msPerBatch.toFixed(2)} ms/batch, ${f1(i.framesPerSecond)} frames/s (${pct(i.fractionOfPeak)} of ceiling)`,
    ),
    `smoothing  ${r.smoothing.usPerFrame.toFixed(1)} µs/frame`,
    `publish    ${r.publish.usPerFrame.toFixed(1)} µs/frame (encode once)`,
    e2e('end-to-end live', r.endToEnd.live),
    e2e(`end-to-end saturated`, s),
    `           saturated ${f1(s.fpsOut)} / inference alone ${f1(s.inferenceFps)} frames/s (batch ${s.batch}: one frame's crops, alternating 0.5 s windows; median pair ratio) = ${s.ratioToInference.toFixed(3)}`,
    r.glass
      ? `glass      capture→paint p50/p95/p99 ${f1(r.glass.p50)}/${f1(r.glass.p95)}/${f1(r.glass.p99)} ms (${r.glass.samples} paints); game draw→paint p50/p95 ${f1(r.glass.fromDraw.p50)}/${f1(r.glass.fromDraw.p95)} ms (${r.glass.fromDraw.samples})`
      : 'glass      not measured (--glass)',
    ...(r.setups ? formatSetups(r.setups) : ['setups     not measured (--setups 0)']),
  ].join('\n');
}

export async function runBenchCommand(flags: Record<string, unknown>): Promise<void> {
  const batches = String(flags.batch)
    .split(',')
    .map((b) => checkNumber('--batch', b, POSITIVE));
  if (batches.some((b) => !Number.isInteger(b))) throw new UserError(`--batch: whole numbers, comma-separated (e.g. 1,8), got ${String(flags.batch)}`);
  const regions = (flags.region as string[]).map((r) => {
    const p = parseRegionArg(r);
    if (!p.ok) throw new UserError(`--region: ${p.error}`);
    return p.value;
  });
  const engine = String(flags.engine);
  if (engine !== 'onnx' && engine !== 'tfjs') throw new UserError(`--engine: onnx or tfjs, got ${engine}`);
  const spec = parseSourceSpec(String(flags.source));
  if (flags.glass && spec.kind !== 'synthetic') throw new UserError('--glass: needs the synthetic source (--source synthetic)');
  if (!isLiveSource(spec)) log('a file played once may end before the end-to-end runs finish; add ?loop');
  const report = await runBench({
    model: String(flags.model),
    source: String(flags.source),
    seconds: checkNumber('--seconds', flags.seconds, POSITIVE),
    engine,
    device: String(flags.device) as DeviceKind,
    precision: String(flags.precision) as Precision,
    threads: flags.threads === undefined ? undefined : checkNumber('--threads', flags.threads, POSITIVE),
    batches,
    regions,
    glass: Boolean(flags.glass),
    setups: flags.setups === undefined ? 0 : checkNumber('--setups', flags.setups, WHOLE_NUMBER),
  });
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}
