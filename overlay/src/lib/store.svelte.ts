// The one state store both pages render from (TournamentStreamHelper style): the server's full
// State, replaced on hello/state and patched by prediction/status/label messages.
import type { LabelMessage, PredictionMessage, RegionView, ServerMessage, State, StatusMessage } from '../../../server/protocol.ts';
import type { MetricSample } from './series.ts';

export type Connection = 'connecting' | 'open' | 'lost';

/** After the connection is lost this long, labels are stale and the overlay fades out. */
export const STALE_AFTER_MS = 3000;
const HISTORY_MS = 5 * 60_000;

export class Store {
  state = $state<State | null>(null);
  connection = $state<Connection>('connecting');
  /** True once the connection has been lost for STALE_AFTER_MS (never show a stale label). */
  stale = $state(false);
  history = $state<MetricSample[]>([]);
  /** Last server error message (e.g. a rejected token). */
  serverError = $state<string | null>(null);
  private staleTimer: ReturnType<typeof setTimeout> | undefined;

  apply(msg: ServerMessage): void {
    switch (msg.type) {
      case 'hello':
        this.connection = 'open';
        this.setStale(false);
        this.serverError = null;
        this.state = msg.state;
        this.sample(msg.state.metrics);
        break;
      case 'state':
        this.state = msg.state;
        break;
      case 'prediction':
        this.applyPrediction(msg);
        break;
      case 'status':
        this.applyStatus(msg);
        break;
      case 'label':
        this.applyLabel(msg);
        break;
      case 'error':
        this.serverError = `${msg.code}: ${msg.message}`;
        break;
      case 'pong':
        break;
    }
  }

  lost(): void {
    this.connection = 'lost';
    if (this.staleTimer === undefined && !this.stale) {
      this.staleTimer = setTimeout(() => this.setStale(true), STALE_AFTER_MS);
    }
  }

  region(name: string): RegionView | undefined {
    return this.state?.regions.find((r) => r.name === name);
  }

  private setStale(stale: boolean): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    this.stale = stale;
  }

  private applyPrediction(msg: PredictionMessage): void {
    if (!this.state) return;
    this.state.seq = msg.seq;
    this.state.capturedAt = msg.capturedAt;
    for (const p of msg.regions) {
      const view = this.region(p.name);
      if (!view) continue;
      view.top = p.top;
      view.label = p.label;
      view.confidence = p.confidence;
      view.overridden = p.overridden;
      view.smoothed = p.smoothed;
    }
  }

  private applyStatus(msg: StatusMessage): void {
    if (!this.state) return;
    this.state.source = msg.source;
    this.state.engine = msg.engine;
    this.state.metrics = msg.metrics;
    this.sample(msg.metrics);
  }

  private applyLabel(msg: LabelMessage): void {
    const view = this.region(msg.region);
    if (!view) return;
    view.label = msg.label;
    view.confidence = msg.confidence;
    view.overridden = msg.overridden;
  }

  private sample(m: State['metrics']): void {
    const now = Date.now();
    const keep = this.history.filter((s) => now - s.t <= HISTORY_MS);
    keep.push({ t: now, fpsIn: m.fpsIn, fpsOut: m.fpsOut, dropped: m.dropped, latencyP50Ms: m.latencyP50Ms, latencyP95Ms: m.latencyP95Ms });
    this.history = keep;
  }
}
