// One setup: a source and everything that is its own (regions, smoothing, overrides, TSH map, OBS
// texts, metrics, the pages subscribed to it), wired source → prepare → engine → smooth → publish.
// The engine is handed in: the only one, or the queue that batches every setup's crops in front of
// it (engine-queue.ts). serve.ts starts one per --setup, or one named `default` without the flag.
import type { Engine } from '../engine/engine.ts';
import type { FrameSourceOptions } from '../source/frames.ts';
import { isLiveSource, parseSourceSpec } from '../source/spec.ts';
import type { ObsConnection } from '../source/obs-connection.ts';
import { Controls } from './controls.ts';
import type { SetupHandlers } from './http.ts';
import { Metrics } from './metrics.ts';
import type { ObsTextTarget } from './obs-text.ts';
import type { ObsWriter } from './obs-writer.ts';
import { Pipeline } from './pipeline.ts';
import { players, type Player } from './players.ts';
import { PrepareStage } from './prepare.ts';
import { Preview } from './preview.ts';
import { checkRegionsFit, type EngineStatus, type RegionSpec, type SmoothingSettings } from './protocol.ts';
import { WsHub, type WsCaps } from './publish.ts';
import { SourceRunner, type OpenFrames, type ProbeSize } from './source-runner.ts';
import { StateStore, type PredictionUpdate } from './store.ts';
import { TshFeeder } from './tsh.ts';
import type { TshConfig } from './tsh-map.ts';

/** What is a setup's own. Without --setup, the one setup is built from the top-level options. */
export interface SetupConfig {
  name: string;
  source: string;
  regions: RegionSpec[];
  /** Where `regions` came from, for errors ('--region', or the config file's field). */
  regionsFrom?: string;
  smoothing: SmoothingSettings;
  tsh?: TshConfig;
  obsText?: ObsTextTarget[];
}

export interface SetupWiring {
  /** Every setup's name, for the state's `setups`. */
  setups: readonly string[];
  engine: Pick<Engine, 'run' | 'width' | 'height'>;
  engineStatus: EngineStatus;
  labels: string[];
  open: OpenFrames;
  probe: ProbeSize;
  frameOptions: Omit<FrameSourceOptions, 'width' | 'height'>;
  backoff?: { initialMs: number; maxMs: number };
  stallMs: number;
  firstFrameMs?: number;
  fps?: number;
  obs?: ObsConnection;
  hubCaps?: Partial<WsCaps>;
  log: (line: string) => void;
}

export class Setup {
  readonly name: string;
  readonly metrics = new Metrics();
  readonly preview = new Preview();
  readonly source: SourceRunner;
  readonly store: StateStore;
  readonly hub: WsHub;
  readonly pipeline: Pipeline<PredictionUpdate>;
  readonly tsh: TshFeeder | null;
  readonly handlers: SetupHandlers;
  private obsText: ObsWriter | null = null;
  private readonly controls: Controls;
  private readonly statusTimer: NodeJS.Timeout;

  constructor(
    private readonly c: SetupConfig,
    w: SetupWiring,
  ) {
    this.name = c.name;
    const spec = parseSourceSpec(c.source);
    const prefix = w.setups.length > 1 ? `setup ${c.name}: ` : '';
    // The frame's path, top to bottom: source → prepare → engine → smooth → publish.
    this.source = new SourceRunner({
      spec,
      specText: c.source,
      live: isLiveSource(spec),
      open: w.open,
      probe: w.probe,
      frameSize: (src) => prepare.frameSize(src),
      frameOptions: w.frameOptions,
      backoff: w.backoff,
      stallMs: w.stallMs,
      firstFrameMs: w.firstFrameMs,
      // Regions given at startup must lie inside the frame, as the API's must: one rule, no clamping.
      checkSize: (size) => {
        const fit = checkRegionsFit(c.regions, size.width, size.height);
        return fit.ok ? null : `${c.regionsFrom ?? '--region'}: ${fit.error}`;
      },
    });
    this.store = new StateStore({
      labels: w.labels,
      smoothing: c.smoothing,
      regions: c.regions,
      metrics: this.metrics,
      source: () => this.source.current,
      engine: w.engineStatus,
      setup: c.name,
      setups: w.setups,
    });
    const prepare = new PrepareStage({
      model: { width: w.engine.width, height: w.engine.height },
      regions: () => this.store.regions,
      sourceSize: () => this.source.sourceSize,
    });
    this.tsh = c.tsh ? new TshFeeder({ config: c.tsh, smoothing: c.smoothing, log: (l) => w.log(prefix + l) }) : null;
    this.hub = new WsHub({ metrics: this.metrics, snapshot: () => this.store.snapshot(), caps: w.hubCaps });
    this.pipeline = new Pipeline<PredictionUpdate>(
      { prepare, engine: w.engine, smooth: this.store, publish: this.tsh ? this.tsh.after(this.hub) : this.hub },
      { fps: w.fps, metrics: this.metrics, onError: (err) => w.log(`${prefix}frame skipped: ${err.message}`) },
    );
    this.source.pipe(this.pipeline.push, this.preview.update);

    // Around the path: source status, the operator's controls.
    this.source.on('status', (s) => {
      this.metrics.restarts = s.restarts;
      if (s.state === 'restarting' || s.state === 'stalled') w.log(`${prefix}source ${s.spec}: ${s.lastError ?? 'stopped'}; restarting in ${s.retryInMs} ms`);
      this.sendStatus();
    });
    this.controls = new Controls(this.store, this.source, this.hub);
    this.handlers = {
      state: () => this.store.snapshot(),
      setOverride: (b) => {
        const r = this.controls.setOverride(b);
        if (r.ok) this.tsh?.override(b.region, b.label);
        return r;
      },
      setRegions: (b) => this.controls.setRegions(b.regions),
      preview: () => this.preview.jpeg(this.source.sourceSize),
      tsh: this.tsh ?? undefined,
    };
    this.statusTimer = setInterval(() => this.sendStatus(), 1000);
  }

  sendStatus(): void {
    this.hub.broadcast({ type: 'status', source: this.source.current, engine: this.store.engine, metrics: this.metrics.summary() });
  }

  /** OBS text sources are written through their own connection (obs-writer.ts), opened on start. */
  async start(obs: ObsConnection, log: (line: string) => void): Promise<void> {
    if (this.c.obsText?.length) {
      const [{ ObsWriter }, { textWrites }] = await Promise.all([import('./obs-writer.ts'), import('./obs-text.ts')]);
      const targets = this.c.obsText;
      this.obsText = new ObsWriter({ conn: obs, flag: '--obs-text', wanted: () => textWrites(targets, this.store.snapshot()), log }).start();
    }
    this.source.start();
  }

  /** Not ok while no frames come (a monitor can restart what the server cannot fix itself). */
  get healthy(): boolean {
    return !['restarting', 'stalled', 'down'].includes(this.source.current.state);
  }

  players(): Player[] {
    return players(this.store.snapshot(), (region) => this.tsh?.lockOf(region) != null);
  }

  stop(): void {
    clearInterval(this.statusTimer);
    this.tsh?.close();
    this.obsText?.close();
    this.source.stop();
    this.pipeline.stop();
    this.hub.close();
  }
}
