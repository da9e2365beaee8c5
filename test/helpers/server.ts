// Start/stop a real server for tests (port 0), a WebSocket client that collects protocol messages,
// and fakes of the engine and frame source. Shared by the server tests and the overlay e2e tests.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { Engine } from '../../engine/engine.ts';
import { now } from '../../kit/clock.ts';
import type { Frame, FrameStream } from '../../source/frames.ts';
import { CHARACTERS } from '../../game/labels.ts';
import type { ServerMessage, State } from '../../server/protocol.ts';
import type { OpenFrames } from '../../server/source-runner.ts';
import { startServer, type RunningServer, type ServeConfig, type ServeDeps } from '../../server/serve.ts';
import { DEFAULT_SMOOTHING } from '../../server/store.ts';

/** The demo's labels: the eight characters. */
export const LABELS_DEFAULT: readonly string[] = CHARACTERS;

export interface FakeEngineOptions {
  labels?: readonly string[];
  width?: number;
  height?: number;
  /** Each run takes this long (a slow engine). */
  delayMs?: number;
  /** Probabilities for one batch item; default: the label index changes every `switchMs`. */
  probs?: (item: number, call: number) => number[];
  switchMs?: number;
}

export interface FakeEngine extends Engine {
  calls: number;
  /** Batch sizes seen, in order. */
  batches: number[];
}

export function fakeEngine(o: FakeEngineOptions = {}): FakeEngine {
  const labels = o.labels ?? LABELS_DEFAULT;
  const switchMs = o.switchMs ?? 2000;
  const byTime = (): number[] => {
    const hot = Math.floor(Date.now() / switchMs) % labels.length;
    return labels.map((_, i) => (i === hot ? 0.9 : 0.1 / (labels.length - 1)));
  };
  const engine: FakeEngine = {
    name: 'fake',
    provider: 'test',
    threads: 1,
    height: o.height ?? 32,
    width: o.width ?? 32,
    outputSize: labels.length,
    calls: 0,
    batches: [],
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      if (frames.length !== n * engine.width * engine.height * 3) throw new Error(`fake engine: ${frames.length} bytes for ${n} frames`);
      const call = engine.calls++;
      engine.batches.push(n);
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      const out = new Float32Array(n * labels.length);
      for (let i = 0; i < n; i++) out.set(o.probs ? o.probs(i, call) : byTime(), i * labels.length);
      return out;
    },
    async dispose(): Promise<void> {},
  };
  return engine;
}

/** A frame source that needs no ffmpeg: grey frames at `fps`, as many as `count` (then 'end'). */
export function fakeFrames(o: { fps: number; count?: number } = { fps: 30 }): OpenFrames & { opened: number } {
  const open = ((_spec, opts) => {
    open.opened++;
    const stream = new EventEmitter() as FrameStream & EventEmitter;
    let seq = 0;
    const size = opts.width * opts.height * 3;
    const timer = setInterval(() => {
      if (o.count !== undefined && seq >= o.count) {
        clearInterval(timer);
        stream.emit('end');
        stream.emit('exit', 0, '');
        return;
      }
      const f: Frame = { seq: seq++, capturedAt: now(), width: opts.width, height: opts.height, data: Buffer.alloc(size, seq % 255) };
      stream.emit('frame', f);
    }, 1000 / o.fps);
    Object.assign(stream, { pid: undefined, game: undefined, stop: () => clearInterval(timer) });
    return stream;
  }) as OpenFrames & { opened: number };
  open.opened = 0;
  return open;
}

export interface TestServerOptions extends Partial<ServeConfig>, ServeDeps {}

export interface TestServer {
  server: RunningServer;
  url: string;
  wsUrl: string;
  state(): Promise<State>;
  stop(): Promise<void>;
}

export function testConfig(o: Partial<ServeConfig> = {}): ServeConfig {
  return {
    model: 'fake',
    source: 'synthetic:1',
    captureFps: 30,
    regions: [],
    host: '127.0.0.1',
    port: 0,
    engine: 'onnx',
    device: 'cpu',
    smoothing: { ...DEFAULT_SMOOTHING, holdMs: 100 },
    staticRoot: path.resolve('dist/overlay'),
    ...o,
  };
}

/**
 * A real server on port 0. Without `readyEngine` or a real `model`, a fake engine (labels switching
 * every 2 s) runs; without `openFrames`, the real synthetic source (ffmpeg) feeds it.
 */
export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const { readyEngine, labels, openFrames, probeSize, frameOptions, wsCaps, backoff, firstFrameMs, log, ...config } = o;
  const fake = !config.model || config.model === 'fake';
  const server = await startServer(testConfig(config), {
    readyEngine: readyEngine ?? (fake ? fakeEngine() : undefined),
    labels: labels ?? (fake ? [...LABELS_DEFAULT] : undefined),
    openFrames,
    probeSize,
    frameOptions,
    wsCaps,
    backoff,
    firstFrameMs,
    log: log ?? (() => {}),
  });
  return {
    server,
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
    state: async () => (await (await fetch(`${server.url}/api/state`)).json()) as State,
    stop: () => server.close(),
  };
}

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export interface TestClient {
  ws: WebSocket;
  messages: ServerMessage[];
  /**
   * The next message of a type (matching `pred`) after the last one `next` returned (or from index
   * `from`): messages are read in order, like a page would.
   */
  next<T extends ServerMessage['type']>(type: T, pred?: (m: Of<T>) => boolean, timeoutMs?: number, from?: number): Promise<Of<T>>;
  send(value: unknown): void;
  close(): Promise<void>;
}

export async function connectClient(wsUrl: string, token?: string): Promise<TestClient> {
  const ws = new WebSocket(token ? `${wsUrl}?token=${encodeURIComponent(token)}` : wsUrl);
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
  const client: TestClient = {
    ws,
    messages,
    next(type, pred, timeoutMs = 15_000, from = cursor) {
      return new Promise((resolve, reject) => {
        let i = from;
        const check = (): void => {
          for (; i < messages.length; i++) {
            const m = messages[i]!;
            if (m.type === type && (!pred || pred(m as Of<typeof type>))) {
              waiters.delete(check);
              clearTimeout(timer);
              cursor = i + 1;
              resolve(m as Of<typeof type>);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no '${type}' message within ${timeoutMs} ms (got ${messages.length}: ${[...new Set(messages.map((m) => m.type))].join(', ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
  return client;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
}
