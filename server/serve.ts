// `smashsight serve`, wired: source → prepare → engine → smooth → publish, one state store, HTTP
// and WebSocket on one port. Engine and frame source are injectable (tests pass fakes).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { UserError } from '../kit/errors.ts';
import type { DeviceKind, Engine, EngineKind, Precision } from '../engine/engine.ts';
import type { FrameSourceOptions } from '../source/frames.ts';
import { isLiveSource, parseSourceSpec } from '../source/spec.ts';
import { checkBind, refusal, type Gate } from './auth.ts';
import { Controls } from './controls.ts';
import { createHandler } from './http.ts';
import { Metrics } from './metrics.ts';
import { Pipeline } from './pipeline.ts';
import { PrepareStage } from './prepare.ts';
import { Preview } from './preview.ts';
import { checkRegionsFit, type RegionSpec, type SmoothingSettings, type SourceStatus } from './protocol.ts';
import { WsHub, type WsCaps } from './publish.ts';
import { DEFAULT_STALL_SECONDS, SourceRunner, type OpenFrames, type ProbeSize } from './source-runner.ts';
import { StateStore, type PredictionUpdate } from './store.ts';
import { players } from './players.ts';
import { TshFeeder } from './tsh.ts';
import type { TshConfig } from './tsh-map.ts';
import { DEFAULT_OBS_URL, type ObsConnection } from '../source/obs-connection.ts';
import type { SourceSpec } from '../source/spec.ts';
import type { ObsTextTarget } from './obs-text.ts';

export interface ServeConfig {
  model: string;
  source: string;
  /** Inference cap (frames/s); undefined = as fast as the engine goes. */
  fps?: number;
  /** Capture rate asked of ffmpeg / the synthetic game. */
  captureFps: number;
  /** A live source with no frame for this long is restarted (status 'stalled'). Default 5. */
  stallSeconds?: number;
  regions: RegionSpec[];
  /** Where `regions` came from, for errors ('--region', or the config file's field). */
  regionsFrom?: string;
  host: string;
  port: number;
  token?: string;
  /** Host names requests may carry besides addresses, localhost, this machine's name and --host (--allow-host). */
  allowedHosts?: string[];
  engine: EngineKind;
  device: DeviceKind;
  /** int8 or fp32 graph (auto: int8 when the package has one and the CPU has VNNI). */
  precision?: Precision;
  threads?: number;
  smoothing: SmoothingSettings;
  /** Folder of the built pages. */
  staticRoot: string;
  /** Push each mapped region's character to TournamentStreamHelper (--tsh, --tsh-map). */
  tsh?: TshConfig;
  /** OBS's WebSocket server, for `obs:` sources and --obs-text (--obs-url, --obs-password). */
  obs?: ObsConnection;
  /** Write these regions' shown labels into OBS text sources (--obs-text). */
  obsText?: ObsTextTarget[];
}

export interface ServeDeps {
  /** A ready engine and its labels (skips reading the package). */
  readyEngine?: Engine;
  labels?: string[];
  openFrames?: OpenFrames;
  probeSize?: ProbeSize;
  /** Extra options for every openFrames call (synthetic switch seconds, timeline path…). */
  frameOptions?: Partial<FrameSourceOptions>;
  wsCaps?: Partial<WsCaps>;
  backoff?: { initialMs: number; maxMs: number };
  /** How long a live source's first frame after an open may take (source-runner.ts has the default). */
  firstFrameMs?: number;
  log?: (line: string) => void;
}

export interface RunSummary {
  source: SourceStatus;
  framesIn: number;
  framesOut: number;
  dropped: number;
  seconds: number;
}

export interface RunningServer {
  url: string;
  port: number;
  store: StateStore;
  metrics: Metrics;
  source: SourceRunner;
  hub: WsHub;
  engine: Engine;
  /** Resolves when a non-live source (a file played once) has ended and its last frame is out. */
  ended: Promise<RunSummary>;
  /** Resolves once no frame waits for or is in the engine. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

async function loadEngine(config: ServeConfig, deps: ServeDeps): Promise<{ engine: Engine; labels: string[]; model: string }> {
  if (deps.readyEngine) {
    const labels = deps.labels ?? [];
    if (labels.length !== deps.readyEngine.outputSize) throw new Error(`${labels.length} labels for an engine with ${deps.readyEngine.outputSize} outputs`);
    return { engine: deps.readyEngine, labels, model: config.model };
  }
  const { readModelPackage } = await import('../engine/package.ts');
  const { openEngine } = await import('../engine/open-engine.ts');
  const pkg = await readModelPackage(config.model);
  // In a worker thread: ONNX Runtime blocks the thread it computes on, and the server must go on
  // reading frames, answering HTTP and sending labels meanwhile.
  const engine = await openEngine(pkg, { engine: config.engine, device: config.device, threads: config.threads, precision: config.precision, worker: true });
  return { engine, labels: pkg.labels, model: pkg.dir };
}

/** Streams and sizes come from ffmpeg, except an `obs:` source's, which come over obs-websocket. */
async function defaultSource(spec: SourceSpec, config: ServeConfig): Promise<{ open: OpenFrames; probe: ProbeSize }> {
  if (spec.kind === 'obs') {
    const { ObsFrames, probeObsSize } = await import('../source/obs.ts');
    const conn = config.obs ?? { url: DEFAULT_OBS_URL };
    return { open: (_s, opts) => new ObsFrames(spec.name, opts, conn), probe: (_s, signal) => probeObsSize(spec.name, conn, signal) };
  }
  const { openFrames } = await import('../source/frames.ts');
  const { probeSourceSize } = await import('./source-size.ts');
  return { open: openFrames, probe: (s, signal) => probeSourceSize(s, config.captureFps, signal) };
}

export async function startServer(config: ServeConfig, deps: ServeDeps = {}): Promise<RunningServer> {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const warning = checkBind(config.host, config.token);
  if (warning) log(warning);
  if (!fs.existsSync(path.join(config.staticRoot, 'overlay.html'))) {
    log(`note: ${config.staticRoot} has no overlay.html: build the pages with \`npm run build\` (the API and WebSocket work without them)`);
  }
  const spec = parseSourceSpec(config.source);
  const { engine, labels, model } = await loadEngine(config, deps);
  const started = performance.now();
  const metrics = new Metrics();
  const preview = new Preview();
  const defaults = deps.openFrames && deps.probeSize ? undefined : await defaultSource(spec, config);

  // The frame's path, top to bottom: source → prepare → engine → smooth → publish.
  const source: SourceRunner = new SourceRunner({
    spec,
    specText: config.source,
    live: isLiveSource(spec),
    open: deps.openFrames ?? defaults!.open,
    probe: deps.probeSize ?? defaults!.probe,
    frameSize: (src) => prepare.frameSize(src),
    frameOptions: { fps: config.captureFps, ...deps.frameOptions },
    backoff: deps.backoff,
    stallMs: (config.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000,
    firstFrameMs: deps.firstFrameMs,
    // Regions given at startup must lie inside the frame, as the API's must: one rule, no clamping.
    checkSize: (size) => {
      const fit = checkRegionsFit(config.regions, size.width, size.height);
      return fit.ok ? null : `${config.regionsFrom ?? '--region'}: ${fit.error}`;
    },
  });
  const store = new StateStore({
    labels,
    smoothing: config.smoothing,
    regions: config.regions,
    metrics,
    source: () => source.current,
    engine: { name: engine.name, provider: engine.provider, threads: engine.threads, model, inputWidth: engine.width, inputHeight: engine.height },
  });
  const tsh = config.tsh ? new TshFeeder({ config: config.tsh, smoothing: config.smoothing, log }) : null;
  const obsText = config.obsText?.length
    ? new (await import('./obs-text.ts')).ObsTextWriter({
        conn: config.obs ?? { url: DEFAULT_OBS_URL },
        targets: config.obsText,
        snapshot: () => store.snapshot(),
        log,
      })
    : null;
  const prepare = new PrepareStage({
    model: { width: engine.width, height: engine.height },
    regions: () => store.regions,
    sourceSize: () => source.sourceSize,
  });
  const server = http.createServer();
  const gate: Gate = { token: config.token, hosts: [config.host, ...(config.allowedHosts ?? [])] };
  const hub = new WsHub(server, {
    metrics,
    snapshot: () => store.snapshot(),
    admit: (req) => refusal(req, gate, 'change'),
    caps: deps.wsCaps,
  });
  const pipeline = new Pipeline<PredictionUpdate>(
    { prepare, engine, smooth: store, publish: tsh ? tsh.after(hub) : hub },
    { fps: config.fps, metrics, onError: (err) => log(`frame skipped: ${err.message}`) },
  );
  source.pipe(pipeline.push, preview.update);

  // Around the path: source status, the end of a file, the operator's controls, HTTP.
  const sendStatus = (): void => hub.broadcast({ type: 'status', source: source.current, engine: store.engine, metrics: metrics.summary() });
  source.on('status', (s) => {
    metrics.restarts = s.restarts;
    if (s.state === 'restarting' || s.state === 'stalled') log(`source ${s.spec}: ${s.lastError ?? 'stopped'}; restarting in ${s.retryInMs} ms`);
    sendStatus();
  });
  const ended = new Promise<RunSummary>((resolve) => {
    source.on('ended', async (s) => {
      await pipeline.idle();
      sendStatus();
      resolve({ source: s, framesIn: metrics.framesIn, framesOut: metrics.framesOut, dropped: metrics.dropped, seconds: (performance.now() - started) / 1000 });
    });
  });
  const controls = new Controls(store, source, hub);
  server.on(
    'request',
    createHandler({
      root: path.resolve(config.staticRoot),
      gate,
      state: () => store.snapshot(),
      setOverride: (b) => {
        const r = controls.setOverride(b);
        if (r.ok) tsh?.override(b.region, b.label);
        return r;
      },
      setRegions: (b) => controls.setRegions(b.regions),
      preview: () => preview.jpeg(source.sourceSize),
      health: () => ({
        // Not ok while no frames come (a monitor can restart what the server cannot fix itself).
        ok: !['restarting', 'stalled', 'down'].includes(source.current.state),
        source: source.current.state,
        engine: engine.name,
        clients: hub.size,
        uptimeSeconds: Math.round((performance.now() - started) / 1000),
        // TSH down is reported, not unhealthy: frames and the overlay go on without it.
        ...(tsh && { tsh: tsh.health() }),
      }),
      metrics: () => metrics.prometheus(),
      players: () => players(store.snapshot(), (region) => tsh?.lockOf(region) != null),
      tsh: tsh ?? undefined,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      source.stop();
      hub.close();
      tsh?.close();
      obsText?.close();
      void engine.dispose();
      const why = err.code === 'EADDRINUSE' ? 'already in use (pick another with --port)' : err.code === 'EACCES' ? 'not allowed here' : err.message;
      reject(new UserError(`--host ${config.host} --port ${config.port}: ${why}`));
    });
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  source.start();
  obsText?.start();
  const statusTimer = setInterval(sendStatus, 1000);

  const close = async (): Promise<void> => {
    clearInterval(statusTimer);
    tsh?.close();
    obsText?.close();
    source.stop();
    pipeline.stop();
    hub.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await engine.dispose();
  };
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, port, store, metrics, source, hub, engine, ended, idle: () => pipeline.idle(), close };
}
