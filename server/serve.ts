// `smashsight serve`, wired: one engine, one setup per --setup (or one named `default`), each its
// own source → prepare → engine → smooth → publish (setup.ts); HTTP and WebSocket on one port,
// `?setup=` choosing whose. Engine and frame source are injectable (tests pass fakes).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { UserError } from '../kit/errors.ts';
import type { DeviceKind, Engine, EngineKind, Precision } from '../engine/engine.ts';
import type { FrameSourceOptions } from '../source/frames.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { checkBind, refusal, type Gate } from './auth.ts';
import { EngineQueue } from './engine-queue.ts';
import { createHandler } from './http.ts';
import { prometheus, type Metrics } from './metrics.ts';
import { DEFAULT_SETUP, type RegionSpec, type SmoothingSettings, type SourceStatus, UNKNOWN } from './protocol.ts';
import { routeUpgrades, type WsCaps, type WsHub } from './publish.ts';
import { Setup, type SetupConfig } from './setup.ts';
import { DEFAULT_STALL_SECONDS, type OpenFrames, type ProbeSize, type SourceRunner } from './source-runner.ts';
import type { StateStore } from './store.ts';
import type { TshConfig } from './tsh-map.ts';
import { DEFAULT_OBS_URL, type ObsConnection } from '../source/obs-connection.ts';
import type { SourceSpec } from '../source/spec.ts';
import type { SceneRule } from './obs-scene.ts';
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
  /** Switch OBS's program scene as games start and end (--obs-game-scene, --obs-idle-scene), watching every setup. */
  obsScenes?: SceneRule;
  /** Several setups (--setup), each with its own source, regions, smoothing, TSH map and OBS texts;
   *  then source, regions, tsh and obsText above are not used. Absent: one setup, `default`. */
  setups?: SetupConfig[];
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
  /** The first setup's (the only one without --setup). */
  store: StateStore;
  metrics: Metrics;
  source: SourceRunner;
  hub: WsHub;
  /** Every setup, in --setup order. */
  setups: Setup[];
  engine: Engine;
  /** In front of the engine when there are several setups: their crops batched into one call. */
  queue: EngineQueue | null;
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

/** The setups to run: --setup's, or the one `default` made of the top-level options. */
export function setupsOf(config: ServeConfig): SetupConfig[] {
  if (config.setups?.length) return config.setups;
  const { source, regions, regionsFrom, smoothing, tsh, obsText } = config;
  return [{ name: DEFAULT_SETUP, source, regions, regionsFrom, smoothing, tsh, obsText }];
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
  const configs = setupsOf(config);
  const names = configs.map((c) => c.name);
  const specs = configs.map((c) => parseSourceSpec(c.source));
  const { engine, labels, model } = await loadEngine(config, deps);
  const started = performance.now();
  const obs = config.obs ?? { url: DEFAULT_OBS_URL };
  // One setup talks to the engine directly, exactly as before; several share it through the queue.
  const queue = configs.length > 1 ? new EngineQueue(engine) : null;
  const engineStatus = { name: engine.name, provider: engine.provider, threads: engine.threads, model, inputWidth: engine.width, inputHeight: engine.height };
  const server = http.createServer();
  const gate: Gate = { token: config.token, hosts: [config.host, ...(config.allowedHosts ?? [])] };
  const setups: Setup[] = [];
  for (const [i, c] of configs.entries()) {
    const defaults = deps.openFrames && deps.probeSize ? undefined : await defaultSource(specs[i]!, config);
    setups.push(
      new Setup(c, {
        setups: names,
        engine: queue ? { run: (d, n) => queue.run(d, n), width: engine.width, height: engine.height } : engine,
        engineStatus,
        labels,
        open: deps.openFrames ?? defaults!.open,
        probe: deps.probeSize ?? defaults!.probe,
        frameOptions: { fps: config.captureFps, ...deps.frameOptions },
        backoff: deps.backoff,
        stallMs: (config.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000,
        firstFrameMs: deps.firstFrameMs,
        fps: config.fps,
        obs,
        hubCaps: deps.wsCaps,
        log,
      }),
    );
  }
  const first = setups[0]!;
  const byName = new Map(setups.map((s) => [s.name, s]));
  const find = (name: string | null): Setup | string => (name === null ? first : (byName.get(name) ?? `no setup '${name}' (setups: ${names.join(', ')})`));

  // A non-live source (a file played once) ends the run once every setup's has ended.
  const ended = Promise.all(
    setups.map(
      (s) =>
        new Promise<SourceStatus>((resolve) => {
          s.source.on('ended', async (status) => {
            await s.pipeline.idle();
            s.sendStatus();
            resolve(status);
          });
        }),
    ),
  ).then((statuses) => {
    const sum = (f: (m: Metrics) => number): number => setups.reduce((n, s) => n + f(s.metrics), 0);
    const down = statuses.find((st) => st.state === 'down');
    return {
      source: down ?? statuses[0]!,
      framesIn: sum((m) => m.framesIn),
      framesOut: sum((m) => m.framesOut),
      dropped: sum((m) => m.dropped),
      seconds: (performance.now() - started) / 1000,
    };
  });

  // Each page subscribes to one setup: /ws?setup=<name> (none named: the first).
  routeUpgrades(
    server,
    (req) => refusal(req, gate, 'change'),
    (name) => {
      const s = find(name);
      return typeof s === 'string' ? s : s.hub;
    },
  );
  server.on(
    'request',
    createHandler({
      root: path.resolve(config.staticRoot),
      gate,
      setup: (name) => {
        const s = find(name);
        return typeof s === 'string' ? s : s.handlers;
      },
      health: () => ({
        ok: setups.every((s) => s.healthy),
        source: first.source.current.state,
        engine: engine.name,
        clients: setups.reduce((n, s) => n + s.hub.size, 0),
        uptimeSeconds: Math.round((performance.now() - started) / 1000),
        // TSH down is reported, not unhealthy: frames and the overlay go on without it.
        ...(first.tsh && setups.length === 1 && { tsh: first.tsh.health() }),
        ...(setups.length > 1 && {
          setups: Object.fromEntries(setups.map((s) => [s.name, { ok: s.healthy, source: s.source.current.state, ...(s.tsh && { tsh: s.tsh.health() }) }])),
        }),
      }),
      // One setup: the metrics as they always were; several: each sample labelled setup="<name>".
      metrics: () => prometheus(setups.map((s) => ({ setup: setups.length > 1 ? s.name : undefined, metrics: s.metrics }))),
      players: (one) => ({ players: one ? byName.get(one.state().setup)!.players() : setups.flatMap((s) => s.players()) }),
    }),
  );
  const stopAll = (): void => {
    for (const s of setups) s.stop();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      stopAll();
      void engine.dispose();
      const why = err.code === 'EADDRINUSE' ? 'already in use (pick another with --port)' : err.code === 'EACCES' ? 'not allowed here' : err.message;
      reject(new UserError(`--host ${config.host} --port ${config.port}: ${why}`));
    });
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  for (const s of setups) await s.start(obs, log);
  const scenes = config.obsScenes ? await startSceneSwitcher(config.obsScenes, setups, obs, log) : null;

  const close = async (): Promise<void> => {
    scenes?.close();
    stopAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await engine.dispose();
  };
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    store: first.store,
    metrics: first.metrics,
    source: first.source,
    hub: first.hub,
    setups,
    engine,
    queue,
    ended,
    idle: async () => {
      await Promise.all(setups.map((s) => s.pipeline.idle()));
    },
    close,
  };
}

/** The program scene follows the games every setup shows (obs-scene.ts), written by obs-writer.ts. */
async function startSceneSwitcher(rule: SceneRule, setups: Setup[], obs: ObsConnection, log: (line: string) => void): Promise<{ close(): void }> {
  const [{ GameWatch, sceneWrites }, { ObsWriter }] = await Promise.all([import('./obs-scene.ts'), import('./obs-writer.ts')]);
  const watch = new GameWatch(rule.idleMs, performance.now());
  const shown = (): boolean => setups.some((s) => s.store.snapshot().regions.some((r) => r.label !== UNKNOWN));
  const wanted = () => sceneWrites(rule, watch.update(shown(), performance.now()), watch.changes);
  return new ObsWriter({ conn: obs, flag: rule.game !== undefined ? '--obs-game-scene' : '--obs-idle-scene', wanted, log }).start();
}
