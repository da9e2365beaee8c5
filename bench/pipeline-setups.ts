// Several setups on one engine (issue 10 §3): N synthetic games at 30 fps through one server, one
// WebSocket client per setup, next to one setup alone. Rounds alternate (1, N, 1, N…) so both
// figures see the same machine load; each setup's frames/s out and capture → send latency come
// from its own client, and the engine queue says how many crops each engine call carried.
import WebSocket from 'ws';
import type { Engine } from '../engine/engine.ts';
import { percentile } from '../server/metrics.ts';
import type { ServerMessage } from '../server/protocol.ts';
import { startServer, type ServeConfig } from '../server/serve.ts';

export interface SetupFigures {
  name: string;
  fpsIn: number;
  fpsOut: number;
  dropped: number;
  latencyMs: { p50: number | null; p95: number | null };
}

export interface SetupsRound {
  setups: number;
  seconds: number;
  perSetup: SetupFigures[];
  /** Crops per engine call (1 with one setup: no queue). */
  meanBatch: number;
  engineCalls: number;
}

export interface SetupsReport {
  count: number;
  captureFps: number;
  rounds: SetupsRound[];
  /** Medians over rounds: one setup alone, and each of N setups (mean over setups). */
  alone: { fpsOut: number; latencyP50Ms: number | null };
  shared: { fpsOut: number; totalFpsOut: number; latencyP50Ms: number | null; meanBatch: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function round(base: ServeConfig, engine: Engine, labels: string[], count: number, seconds: number): Promise<SetupsRound> {
  const names = Array.from({ length: count }, (_, i) => `s${i + 1}`);
  const setups = names.map((name, i) => ({ name, source: `synthetic:${i + 1}`, regions: [], smoothing: base.smoothing }));
  const shared: Engine = { ...engine, dispose: async () => {} };
  const server = await startServer(
    { ...base, port: 0, setups: count > 1 ? setups : undefined, source: setups[0]!.source },
    { readyEngine: shared, labels, log: () => {} },
  );
  const latencies = new Map<string, number[]>(names.map((n) => [n, []]));
  const sockets = server.setups.map((s) => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws?setup=${s.name}`);
    const mine = latencies.get(count > 1 ? s.name : names[0]!)!;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === 'prediction') mine.push(m.publishedAt - m.capturedAt);
    });
    return ws;
  });
  try {
    const deadline = performance.now() + 30_000;
    while (!server.setups.every((s) => s.source.current.state === 'up')) {
      if (performance.now() > deadline) throw new Error(`bench: not every setup's source was up within 30 s`);
      await sleep(100);
    }
    await sleep(1000); // warm-up: ffmpeg start, first frames
    const start = server.setups.map((s) => ({ in: s.metrics.framesIn, out: s.metrics.framesOut, dropped: s.metrics.dropped }));
    const lat0 = names.map((n) => latencies.get(n)!.length);
    const q0 = server.queue ? { calls: server.queue.calls, items: server.queue.items } : null;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const perSetup = server.setups.map((s, i) => {
      const lat = latencies.get(names[i]!)!.slice(lat0[i]);
      return {
        name: names[i]!,
        fpsIn: (s.metrics.framesIn - start[i]!.in) / wall,
        fpsOut: (s.metrics.framesOut - start[i]!.out) / wall,
        dropped: s.metrics.dropped - start[i]!.dropped,
        latencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95) },
      };
    });
    const calls = q0 ? server.queue!.calls - q0.calls : perSetup[0]!.fpsOut * wall;
    const items = q0 ? server.queue!.items - q0.items : calls;
    return { setups: count, seconds: wall, perSetup, meanBatch: calls ? items / calls : 0, engineCalls: Math.round(calls) };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.close();
  }
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
const median = (v: (number | null)[]): number | null =>
  percentile(
    v.filter((x): x is number => x !== null),
    50,
  );

/** `rounds` pairs of (1 setup, `count` setups), `seconds` each, on the one engine. */
export async function runSetups(base: ServeConfig, engine: Engine, labels: string[], count: number, seconds: number, rounds = 2): Promise<SetupsReport> {
  const all: SetupsRound[] = [];
  for (let r = 0; r < rounds; r++) {
    all.push(await round(base, engine, labels, 1, seconds));
    all.push(await round(base, engine, labels, count, seconds));
  }
  const alone = all.filter((r) => r.setups === 1);
  const shared = all.filter((r) => r.setups === count);
  return {
    count,
    captureFps: base.captureFps,
    rounds: all,
    alone: { fpsOut: median(alone.map((r) => r.perSetup[0]!.fpsOut))!, latencyP50Ms: median(alone.map((r) => r.perSetup[0]!.latencyMs.p50)) },
    shared: {
      fpsOut: median(shared.map((r) => mean(r.perSetup.map((s) => s.fpsOut))))!,
      totalFpsOut: median(shared.map((r) => r.perSetup.reduce((n, s) => n + s.fpsOut, 0)))!,
      latencyP50Ms: median(shared.flatMap((r) => r.perSetup.map((s) => s.latencyMs.p50))),
      meanBatch: median(shared.map((r) => r.meanBatch))!,
    },
  };
}

const f1 = (v: number | null): string => (v === null ? '–' : v.toFixed(1));

export function formatSetups(r: SetupsReport): string[] {
  const lines = r.rounds.map(
    (x) =>
      `           ${x.setups} setup${x.setups > 1 ? 's' : ' '} at ${r.captureFps} fps: ` +
      x.perSetup.map((s) => `${s.name} ${f1(s.fpsOut)}/${f1(s.fpsIn)} frames/s, p50/p95 ${f1(s.latencyMs.p50)}/${f1(s.latencyMs.p95)} ms`).join('; ') +
      `; ${x.meanBatch.toFixed(2)} crops per engine call`,
  );
  return [
    `setups     ${r.count} synthetic setups on one engine, each: ${f1(r.shared.fpsOut)} frames/s out (${f1(r.shared.totalFpsOut)} in all), capture→send p50 ${f1(r.shared.latencyP50Ms)} ms, ${r.shared.meanBatch.toFixed(2)} crops per call; ` +
      `one setup alone: ${f1(r.alone.fpsOut)} frames/s, p50 ${f1(r.alone.latencyP50Ms)} ms (medians of ${r.rounds.length / 2} alternating rounds)`,
    ...lines,
  ];
}
