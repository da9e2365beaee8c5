// One timing per pipeline stage, each in isolation: capture (ffmpeg → frames), crop + scale
// (sharp), inference per batch size, smoothing (state store), publish (encode once).
import fs from 'node:fs';
import type { Engine } from '../engine/engine.ts';
import { openFrames, type Frame } from '../source/frames.ts';
import type { SourceSpec } from '../source/spec.ts';
import type { Size } from '../kit/geometry.ts';
import { prepareBatch, workingSize } from '../server/prepare.ts';
import { Metrics, percentile } from '../server/metrics.ts';
import type { RegionSpec } from '../server/protocol.ts';
import { DEFAULT_SMOOTHING, StateStore } from '../server/store.ts';

export interface InferenceTiming {
  batch: number;
  msPerBatch: number;
  framesPerSecond: number;
}
export interface CaptureTiming {
  framesPerSecond: number;
  frames: Frame[];
  ffmpegCpu: number | null;
}

/** Median time of engine.run at a batch size, over about `seconds`. */
export async function timeInference(engine: Engine, batch: number, seconds: number): Promise<InferenceTiming> {
  const data = new Uint8Array(batch * engine.height * engine.width * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 255;
  await engine.run(data, batch);
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || times.length < 3) {
    const t = performance.now();
    await engine.run(data, batch);
    times.push(performance.now() - t);
  }
  const ms = percentile(times, 50)!;
  return { batch, msPerBatch: ms, framesPerSecond: (1000 * batch) / ms };
}

/** CPU seconds (user+system) a process used so far, from /proc (Linux; null elsewhere). */
export function procCpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return null;
  }
}

/** Peak resident memory of a process in MiB (VmHWM), null when unreadable. */
export function procPeakMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Frames/s the source delivers at `size` (no model running), keeping up to `keep` frames. */
export async function timeCapture(spec: SourceSpec, size: Size, fps: number, seconds: number, keep = 60): Promise<CaptureTiming> {
  const stream = openFrames(spec, { ...size, fps });
  const frames: Frame[] = [];
  let first = 0;
  let count = 0;
  let cpu0: number | null = null;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no frame from the source within 20 s`)), 20_000);
    stream.on('frame', (f: Frame) => {
      if (count === 0) {
        first = performance.now();
        cpu0 = procCpuSeconds(stream.pid);
        clearTimeout(timer);
        setTimeout(resolve, seconds * 1000);
      }
      count++;
      if (frames.length < keep) frames.push(f);
    });
    stream.on('exit', () => resolve());
  });
  const wall = (performance.now() - first) / 1000;
  const cpu1 = procCpuSeconds(stream.pid);
  stream.stop();
  return { framesPerSecond: (count - 1) / wall, frames, ffmpegCpu: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / wall : null };
}

/** Regions used for crop timing when none are given: two HUD-sized boxes at the bottom. */
export function sampleRegions(source: Size): RegionSpec[] {
  const w = Math.round(source.width / 5);
  const h = Math.round(source.height / 6);
  const y = source.height - h - Math.round(source.height / 20);
  return [
    { name: 'p1', x: Math.round(source.width * 0.2), y, w, h },
    { name: 'p2', x: Math.round(source.width * 0.6), y, w, h },
  ];
}

/** Median ms to crop + resize every region of one working-size frame to the model's input. */
export async function timeCrop(
  regions: RegionSpec[],
  source: Size,
  model: Size,
  iterations = 100,
): Promise<{ msPerFrame: number; regions: number; working: Size }> {
  const working = workingSize(source, model, true);
  const frame: Frame = { seq: 0, capturedAt: 0, ...working, data: Buffer.alloc(working.width * working.height * 3, 90) };
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await prepareBatch(frame, regions, source, model);
    times.push(performance.now() - t);
  }
  return { msPerFrame: percentile(times, 50)!, regions: regions.length, working };
}

/** µs per frame for smoothing + state update, and for encoding the prediction once. */
export function timeSmoothAndPublish(labels: string[], regions: number, iterations = 5000): { smoothUs: number; publishUs: number } {
  const names = regions ? Array.from({ length: regions }, (_, i) => `p${i + 1}`) : [];
  const specs = names.map((name) => ({ name, x: 0, y: 0, w: 10, h: 10 }));
  const store = new StateStore({
    labels,
    smoothing: DEFAULT_SMOOTHING,
    regions: specs,
    metrics: new Metrics(),
    source: () => {
      throw new Error('unused');
    },
    engine: { name: 'bench', provider: 'cpu', threads: 1, model: 'bench', inputWidth: 1, inputHeight: 1 },
  });
  const items = names.length || 1;
  const probs = new Float32Array(items * labels.length).map((_, i) => ((i * 13) % 17) / 17);
  const batchNames = names.length ? names : ['frame'];
  let t = performance.now();
  let last = store.applyPrediction(batchNames, probs, 0, 0);
  for (let i = 1; i < iterations; i++) last = store.applyPrediction(batchNames, probs, i, i * 33);
  const smoothUs = ((performance.now() - t) * 1000) / iterations;
  t = performance.now();
  let bytes = 0;
  for (let i = 0; i < iterations; i++) bytes += Buffer.from(JSON.stringify({ ...last.prediction, publishedAt: i })).length;
  const publishUs = ((performance.now() - t) * 1000) / iterations;
  return { smoothUs, publishUs: bytes > 0 ? publishUs : 0 };
}
