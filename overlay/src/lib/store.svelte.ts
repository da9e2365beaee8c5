// The one state store both pages render from (TournamentStreamHelper style): the server's full
// State, replaced on hello/state and patched by prediction/status/label messages. It holds the
// page's one WebSocket (below): each message goes from the socket straight into apply().
import { parseServerMessage } from '../../../server/protocol.ts';
import type { ClientMessage, LabelMessage, PredictionMessage, RegionView, ServerMessage, SourceState, State, StatusMessage } from '../../../server/protocol.ts';
import type { MetricSample } from './series.ts';

export type Connection = 'connecting' | 'open' | 'lost';

/** After the connection (or the source's frames) is lost this long, labels are stale and the overlay fades out. */
export const STALE_AFTER_MS = 3000;
const HISTORY_MS = 5 * 60_000;

export class Store {
  state = $state<State | null>(null);
  connection = $state<Connection>('connecting');
  /** True once the connection has been lost for STALE_AFTER_MS (never show a stale label). */
  stale = $state(false);
  history = $state<MetricSample[]>([]);
  /**
   * True while the server gets no frames: its source is 'stalled' (already seconds without one),
   * or restarting or down for STALE_AFTER_MS. The label would be as stale as after a lost connection.
   */
  sourceLost = $state(false);
  /** Last server error message (e.g. a rejected token). */
  serverError = $state<string | null>(null);
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private sourceTimer: ReturnType<typeof setTimeout> | undefined;
  private client: WsClient | null = null;

  /** Opens the page's connection (reconnecting forever) and feeds every message to apply(). */
  connect(url: string): void {
    this.client?.close();
    // Another setup's connection (the operator switched): nothing of the old one may show.
    if (this.client) {
      this.state = null;
      this.history = [];
      this.connection = 'connecting';
    }
    this.client = connectWs(url, { message: (msg) => this.apply(msg), lost: () => this.lost() });
  }

  send(msg: ClientMessage): void {
    this.client?.send(msg);
  }

  apply(msg: ServerMessage): void {
    switch (msg.type) {
      case 'hello':
        this.connection = 'open';
        this.setStale(false);
        this.serverError = null;
        this.state = msg.state;
        this.watchSource(msg.state.source.state);
        this.sample(msg.state.metrics);
        break;
      case 'state':
        this.state = msg.state;
        this.watchSource(msg.state.source.state);
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

  /** What the overlay fades on: no server, or a server without frames. */
  get faded(): boolean {
    return this.stale || this.sourceLost;
  }

  region(name: string): RegionView | undefined {
    return this.state?.regions.find((r) => r.name === name);
  }

  private watchSource(state: SourceState): void {
    if (state === 'starting' || state === 'up' || state === 'ended') {
      clearTimeout(this.sourceTimer);
      this.sourceTimer = undefined;
      this.sourceLost = false;
    } else if (state === 'stalled') this.sourceLost = true;
    else this.sourceTimer ??= setTimeout(() => (this.sourceLost = true), STALE_AFTER_MS);
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
    this.watchSource(msg.source.state);
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

// The one WebSocket connection a page holds: connects to /ws, validates every message with the
// protocol's parser, reconnects with backoff forever, and treats a silent socket as dead.
interface WsHandlers {
  message(msg: ServerMessage): void;
  /** The socket closed or was given up on; a reconnect is scheduled. */
  lost(): void;
}

interface WsClient {
  send(msg: ClientMessage): void;
  close(): void;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 5000;
const PING_EVERY_MS = 2000;
/** No message (not even a pong) for this long → the server is gone even if TCP did not say so. */
const SILENCE_MS = 6000;

/** The page's /ws URL; `setup` subscribes to one of the server's setups (none: its first). */
export function wsUrl(loc: Location, token: string | null, setup?: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = new URLSearchParams();
  if (token) q.set('token', token);
  if (setup) q.set('setup', setup);
  const query = q.size ? `?${q.toString()}` : '';
  return `${scheme}//${loc.host}/ws${query}`;
}

function connectWs(url: string, on: WsHandlers): WsClient {
  let socket: WebSocket | null = null;
  let delay = BACKOFF_START_MS;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeard = 0;

  const send = (msg: ClientMessage): void => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
  };

  const drop = (ws: WebSocket): void => {
    if (socket !== ws) return;
    socket = null;
    clearInterval(pingTimer);
    on.lost();
    if (closed) return;
    // Jitter keeps many OBS sources from reconnecting in lock-step after a server restart.
    retryTimer = setTimeout(open, delay * (0.75 + Math.random() * 0.5));
    delay = Math.min(BACKOFF_MAX_MS, delay * 2);
  };

  function open(): void {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      lastHeard = Date.now();
      pingTimer = setInterval(() => {
        if (Date.now() - lastHeard > SILENCE_MS) {
          ws.close();
          drop(ws);
        } else send({ type: 'ping', t: Date.now() });
      }, PING_EVERY_MS);
    };
    ws.onmessage = (ev: MessageEvent) => {
      lastHeard = Date.now();
      if (typeof ev.data !== 'string') return;
      const parsed = parseServerMessage(ev.data);
      if (!parsed.ok) {
        // Another protocol version: show nothing rather than misread it (retry: it may be upgraded).
        if (parsed.error.startsWith('protocol ')) {
          console.error(`smashsight: server speaks ${parsed.error}; reload the page after updating`);
          ws.close();
          drop(ws);
        } else console.warn(`smashsight: ignored server message (${parsed.error})`);
        return;
      }
      if (parsed.value.type === 'hello') delay = BACKOFF_START_MS;
      on.message(parsed.value);
    };
    ws.onclose = () => drop(ws);
    ws.onerror = () => ws.close();
  }

  open();
  return {
    send,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.close();
    },
  };
}
