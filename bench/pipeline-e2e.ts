// End to end through the real server: frames → engine → smoothing → WebSocket, with a client
// connected. Two runs: the live source at its own pace, and a replay faster than the model (so
// the figure shows what the pipeline costs next to the model, not how fast the source is). The
// replay run alternates one-second windows of pipeline and of inference alone on the same engine,
// so both figures see the same machine load (other processes on these 2 cores come and go).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Engine } from '../engine/engine.ts';
import { now } from '../kit/clock.ts';
import type { Frame, FrameStream } from '../source/frames.ts';
import { percentile } from '../server/metrics.ts';
import type { ServerMessage } from '../server/protocol.ts';
import { startServer, type RunningServer, type ServeConfig } from '../server/serve.ts';
import type { OpenFrames } from '../server/source-runner.ts';
import { procCpuSeconds, procPeakMiB } from './pipeline-stages.ts';

export interface EndToEnd {
  seconds: number;
  fpsIn: number;
  fpsOut: number;
  dropped: number;
  /** capture → WebSocket send (publishedAt − capturedAt), ms */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** CPU cores busy on average: this process, and ffmpeg (null without a child). */
  cpu: { node: number; ffmpeg: number | null };
  peakMiB: { node: number; ffmpeg: number | null };
  /** Replay runs: inference alone in the interleaved windows, frames/s (a frame is one batch of its region crops). */
  inferenceFps?: number;
  /** Replay runs: median over window pairs of pipeline fps / inference-alone fps. */
  pairRatio?: number;
}

export interface Replay {
  open: OpenFrames;
  paused: boolean;
  /** Called as each inference starts: the source delivers `perRun` new frames. */
  onRun(): void;
  /** Delivers one frame (starts the cycle, and restarts it after a pause). */
  kick(): void;
}

/**
 * Replays recorded frames with fresh seq/capture stamps, `perRun` frames each time an inference
 * starts: a source `perRun`× faster than the model, so the newest-frame policy drops the rest.
 * Pacing by the engine, not by timers, keeps the harness from waking the main thread (which, on
 * two cores, would take time from the engine that a real ffmpeg source at 30-60 fps does not).
 */
export function replayFrames(frames: Frame[], perRun = 2): Replay {
  let stream: (FrameStream & EventEmitter) | null = null;
  let usable: Frame[] = [];
  let seq = 0;
  const emit = (): void => {
    if (!stream || replay.paused) return;
    const f = usable[seq % usable.length]!;
    stream.emit('frame', { ...f, seq: seq++, capturedAt: now() });
  };
  const replay: Replay = {
    paused: false,
    onRun: () => {
      for (let i = 0; i < perRun; i++) emit();
    },
    kick: () => setImmediate(emit),
    open: (_spec, opts) => {
      usable = frames.filter((f) => f.width === opts.width && f.height === opts.height);
      if (usable.length === 0) throw new Error(`replay: no recorded frame of ${opts.width}x${opts.height}`);
      const s = new EventEmitter() as FrameStream & EventEmitter;
      Object.assign(s, { pid: undefined, game: undefined, stop: () => (stream = null) });
      stream = s;
      replay.kick();
      return s;
    },
  };
  return replay;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WINDOW_MS = 500;

/**
 * Alternates pipeline and inference-only windows of WINDOW_MS. Returns the pipeline's seconds and
 * frames, inference-only fps, and the median of the per-pair ratios (robust to load that changes
 * between pairs: each pair sees about the same machine).
 */
async function interleave(
  server: RunningServer,
  engine: Engine,
  replay: Replay,
  seconds: number,
  crops: number,
): Promise<{ pipelineSeconds: number; inferenceFps: number; pairRatio: number }> {
  // one live frame is one engine run of all its region crops: inference alone runs that batch
  const data = new Uint8Array(crops * engine.height * engine.width * 3).fill(90);
  let pipelineSeconds = 0;
  let inferFrames = 0;
  let inferSeconds = 0;
  const ratios: number[] = [];
  for (let done = 0; done < seconds * 1000; done += 2 * WINDOW_MS) {
    let t = performance.now();
    const out0 = server.metrics.framesOut;
    await sleep(WINDOW_MS);
    replay.paused = true;
    await server.idle(); // the frames already taken finish inside the pipeline's window
    const pipeSec = (performance.now() - t) / 1000;
    const pipeFps = (server.metrics.framesOut - out0) / pipeSec;
    pipelineSeconds += pipeSec;
    t = performance.now();
    let n = 0;
    while (performance.now() - t < WINDOW_MS) {
      await engine.run(data, crops);
      n++;
    }
    const inferSec = (performance.now() - t) / 1000;
    inferFrames += n;
    inferSeconds += inferSec;
    ratios.push(pipeFps / (n / inferSec));
    if (process.env.SMASHSIGHT_BENCH_DEBUG)
      process.stderr.write(`window: pipeline ${pipeFps.toFixed(0)} fps, inference alone ${(n / inferSec).toFixed(0)} fps\n`);
    replay.paused = false;
    replay.kick();
  }
  return { pipelineSeconds, inferenceFps: inferFrames / inferSeconds, pairRatio: percentile(ratios, 50)! };
}

export async function runEndToEnd(config: ServeConfig, engine: Engine, labels: string[], seconds: number, replay?: Replay): Promise<EndToEnd> {
  const paced: Engine = {
    ...engine,
    run: (data, n) => {
      const result = engine.run(data, n);
      replay?.onRun();
      return result;
    },
    dispose: async () => {},
  };
  const server = await startServer({ ...config, port: 0 }, { readyEngine: paced, labels, openFrames: replay?.open, log: () => {} });
  const latencies: number[] = [];
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage;
    if (m.type === 'prediction') latencies.push(m.publishedAt - m.capturedAt);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame from the source within 20 s')), 20_000);
      const up = (): void => {
        if (server.source.current.state !== 'up') return;
        clearTimeout(timer);
        resolve();
      };
      server.source.on('status', up); // 'up' is set on a stream's first frame
      up();
    });
    await sleep(500); // warm-up: first frames, ffmpeg start
    const m = server.metrics;
    const start = { t: performance.now(), in: m.framesIn, out: m.framesOut, dropped: m.dropped, cpu: process.cpuUsage(), lat: latencies.length };
    const pid = server.source.stream?.pid;
    const ff0 = procCpuSeconds(pid);
    const split = replay ? await interleave(server, engine, replay, seconds, Math.max(1, config.regions.length)) : null;
    if (!split) await sleep(seconds * 1000);
    const wall = (performance.now() - start.t) / 1000;
    const busy = split ? split.pipelineSeconds : wall;
    const cpu = process.cpuUsage(start.cpu);
    const ff1 = procCpuSeconds(pid);
    const lat = latencies.slice(start.lat);
    return {
      seconds: busy,
      fpsIn: (m.framesIn - start.in) / busy,
      fpsOut: (m.framesOut - start.out) / busy,
      dropped: m.dropped - start.dropped,
      latencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) },
      cpu: { node: (cpu.user + cpu.system) / 1e6 / wall, ffmpeg: ff0 !== null && ff1 !== null ? (ff1 - ff0) / wall : null },
      peakMiB: { node: process.resourceUsage().maxRSS / 1024, ffmpeg: procPeakMiB(pid) },
      ...(split ? { inferenceFps: split.inferenceFps, pairRatio: split.pairRatio } : {}),
    };
  } finally {
    ws.terminate();
    await server.close();
  }
}
