// End to end through the real server: frames → engine → smoothing → WebSocket, with a client
// connected. Two runs: the live source at its own pace, and a replay faster than the model (so
// the figure shows what the pipeline costs next to the model, not how fast the source is).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Engine } from '../models/engine.ts';
import type { Frame, FrameStream } from '../source/frames.ts';
import { percentile } from '../server/metrics.ts';
import type { ServerMessage } from '../server/protocol.ts';
import { startServer, type ServeConfig } from '../server/serve.ts';
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
}

/** Replays recorded frames at `fps` with fresh seq/capture stamps, like a source faster than the model. */
export function replayFrames(frames: Frame[], fps: number): OpenFrames {
  return (_spec, opts) => {
    const stream = new EventEmitter() as FrameStream & EventEmitter;
    const usable = frames.filter((f) => f.width === opts.width && f.height === opts.height);
    if (usable.length === 0) throw new Error(`replay: no recorded frame of ${opts.width}x${opts.height}`);
    // Timers tick at ~1 ms at best: emit as many frames per tick as are due, so the rate holds.
    const start = performance.now();
    let seq = 0;
    const timer = setInterval(() => {
      const due = Math.min(seq + 100, Math.floor(((performance.now() - start) / 1000) * fps));
      while (seq < due) {
        const f = usable[seq % usable.length]!;
        stream.emit('frame', { ...f, seq: seq++, capturedAt: performance.timeOrigin + performance.now() });
      }
    }, 1);
    Object.assign(stream, { pid: undefined, game: undefined, stop: () => clearInterval(timer) });
    return stream;
  };
}

export async function runEndToEnd(config: ServeConfig, engine: Engine, labels: string[], seconds: number, openFrames?: OpenFrames): Promise<EndToEnd> {
  const server = await startServer({ ...config, port: 0 }, { readyEngine: { ...engine, dispose: async () => {} }, labels, openFrames, log: () => {} });
  const latencies: number[] = [];
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage;
    if (m.type === 'prediction') latencies.push(m.publishedAt - m.capturedAt);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame from the source within 20 s')), 20_000);
      server.source.once('frame', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 500)); // warm-up: first frames, ffmpeg start
    const m = server.metrics;
    const start = { t: performance.now(), in: m.framesIn, out: m.framesOut, dropped: m.dropped, cpu: process.cpuUsage(), lat: latencies.length };
    const pid = server.source.stream?.pid;
    const ff0 = procCpuSeconds(pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wall = (performance.now() - start.t) / 1000;
    const cpu = process.cpuUsage(start.cpu);
    const ff1 = procCpuSeconds(pid);
    const lat = latencies.slice(start.lat);
    return {
      seconds: wall,
      fpsIn: (m.framesIn - start.in) / wall,
      fpsOut: (m.framesOut - start.out) / wall,
      dropped: m.dropped - start.dropped,
      latencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) },
      cpu: { node: (cpu.user + cpu.system) / 1e6 / wall, ffmpeg: ff0 !== null && ff1 !== null ? (ff1 - ff0) / wall : null },
      peakMiB: { node: process.resourceUsage().maxRSS / 1024, ffmpeg: procPeakMiB(pid) },
    };
  } finally {
    ws.terminate();
    await server.close();
  }
}
