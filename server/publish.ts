// The publish stage: the WebSocket fan-out of each frame's result. A label change goes out at once,
// after its frame's prediction; other predictions are rate-limited (MAX_PREDICTIONS_PER_SECOND),
// newest wins. Each message is encoded once for all clients. A client that stops reading never
// holds anyone up: past a soft cap of buffered bytes it is skipped (stale) and gets one full
// `state` when its socket drains; stale too long or past a hard cap, it is disconnected. Answers
// to a client's own messages (pong, error) count against the same caps, and a client sending more
// than a page ever does (messagesPerSecond, in bursts of twice that) is disconnected: a flood of
// pings must cost the server neither memory nor everyone else's predictions. Recent
// predictions' capture times are kept so a page's `painted` report gives glass-to-glass latency.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { now } from '../kit/clock.ts';
import type { Refusal } from './auth.ts';
import type { Metrics } from './metrics.ts';
import { LIMITS, parseClientMessage, PROTOCOL_VERSION } from './protocol.ts';
import type { PaintedMessage, ServerMessage, State } from './protocol.ts';
import type { PredictionUpdate } from './store.ts';

export interface WsCaps {
  /** Buffered bytes past which a client is skipped until it drains. */
  softBytes: number;
  /** Buffered bytes past which a client is disconnected. */
  hardBytes: number;
  /** A client stale for this long is disconnected. */
  staleMs: number;
  /** Messages a client may send per second on average (a page sends a ping or a few paints). */
  messagesPerSecond: number;
}

export const DEFAULT_CAPS: WsCaps = { softBytes: 256 * 1024, hardBytes: 8 * 1024 * 1024, staleMs: 10_000, messagesPerSecond: 100 };

/** Close code for a client that sent too much (RFC 6455: policy violation). */
export const CLOSE_TOO_MANY = 1008;

/** Predictions go out at most this often (OBS paints at 60 Hz at most); the newest wins. */
export const MAX_PREDICTIONS_PER_SECOND = 60;

/** Predictions remembered for `painted` reports; a page paints within a few frames or not at all. */
const REMEMBERED = 512;
/** Capture → paint beyond this (or below 0) is a page's clock or a forgery, not a latency. */
const MAX_GLASS_MS = 60_000;

export interface WsHubOptions {
  metrics: Metrics;
  snapshot: () => State;
  caps?: Partial<WsCaps>;
}

interface Client {
  ws: WebSocket;
  staleSince: number | null;
  /** Token bucket for the client's messages. */
  allowance: number;
  refilledAt: number;
  gone: boolean;
}

export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.clientFrameBytes });
  private readonly clients = new Set<Client>();
  private readonly caps: WsCaps;
  private readonly drainTimer: NodeJS.Timeout;
  private latest: (() => ServerMessage) | null = null;
  private latestTimer: NodeJS.Timeout | undefined;
  private lastLatestAt = -Infinity;
  private readonly captured = new Map<number, { capturedAt: number; drawnAt?: number }>(); // by seq

  constructor(private readonly o: WsHubOptions) {
    this.caps = { ...DEFAULT_CAPS, ...o.caps };
    this.drainTimer = setInterval(() => this.checkStale(), 100);
    this.drainTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Clients currently skipped for not reading. */
  get stale(): number {
    let n = 0;
    for (const c of this.clients) if (c.staleSince !== null) n++;
    return n;
  }

  /** The pipeline's publish stage: one frame's prediction and label changes out to every page. */
  publish(u: PredictionUpdate): void {
    this.captured.set(u.prediction.seq, { capturedAt: u.prediction.capturedAt, drawnAt: u.drawnAt });
    if (this.captured.size > REMEMBERED) this.captured.delete(this.captured.keys().next().value!);
    const message = (): ServerMessage => ({ ...u.prediction, publishedAt: now() });
    if (u.labels.length === 0) this.broadcastLatest(message);
    else {
      this.sendLatest(message);
      for (const l of u.labels) this.broadcast(l);
    }
  }

  /** Encodes once, sends to every client that keeps up. */
  broadcast(msg: ServerMessage): void {
    if (this.clients.size === 0) return;
    const data = Buffer.from(JSON.stringify(msg));
    for (const c of this.clients) {
      if (c.staleSince !== null) continue;
      if (c.ws.bufferedAmount > this.caps.softBytes) {
        c.staleSince = Date.now();
        continue;
      }
      c.ws.send(data, { binary: false });
    }
  }

  /**
   * Rate-limited broadcast where only the newest message matters (predictions): sent now if the
   * last one went out long enough ago, else the newest waits for the next slot. `make` builds the
   * message at send time (so its send timestamp is true).
   */
  private broadcastLatest(make: () => ServerMessage): void {
    if (this.clients.size === 0) return;
    const wait = this.lastLatestAt + 1000 / MAX_PREDICTIONS_PER_SECOND - performance.now();
    if (wait <= 0) {
      this.sendLatest(make);
      return;
    }
    this.latest = make;
    this.latestTimer ??= setTimeout(() => {
      this.latestTimer = undefined;
      if (this.latest) this.sendLatest(this.latest);
    }, wait);
  }

  /** Sends now, replacing any newest-wins message still waiting (it is older). */
  private sendLatest(make: () => ServerMessage): void {
    this.latest = null;
    this.lastLatestAt = performance.now();
    this.broadcast(make());
  }

  close(): void {
    clearTimeout(this.latestTimer);
    clearInterval(this.drainTimer);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss.close();
  }

  /** An upgrade request already admitted for this hub (routeUpgrades below picks the hub). */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  private attach(ws: WebSocket): void {
    const client: Client = { ws, staleSince: null, allowance: 2 * this.caps.messagesPerSecond, refilledAt: performance.now(), gone: false };
    this.clients.add(client);
    this.o.metrics.clients = this.clients.size;
    this.sendTo(client, { type: 'hello', protocol: PROTOCOL_VERSION, serverTime: Date.now(), state: this.o.snapshot() });
    ws.on('message', (data, isBinary) => this.receive(client, isBinary ? null : String(data)));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.clients.delete(client);
      this.o.metrics.clients = this.clients.size;
    });
  }

  private receive(client: Client, text: string | null): void {
    if (client.gone || !this.allow(client)) return;
    if (text === null) {
      this.sendTo(client, { type: 'error', code: 'bad-message', message: 'binary messages are not part of the protocol' });
      return;
    }
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      const code = parsed.error.startsWith('not JSON') ? 'bad-json' : parsed.error.startsWith('message larger') ? 'too-large' : 'bad-message';
      this.sendTo(client, { type: 'error', code, message: parsed.error });
      return;
    }
    const m = parsed.value;
    if (m.type === 'ping') this.sendTo(client, { type: 'pong', t: m.t ?? null, serverTime: Date.now() });
    else this.painted(m);
  }

  /** A page reported painting a prediction: capture → paint (and draw → paint), if it is one still remembered. */
  private painted(m: PaintedMessage): void {
    const at = this.captured.get(m.seq);
    if (at === undefined) return;
    const ms = m.paintedAt - at.capturedAt;
    if (!(ms >= 0 && ms <= MAX_GLASS_MS)) return;
    const fromDraw = at.drawnAt === undefined ? undefined : m.paintedAt - at.drawnAt;
    this.o.metrics.painted(ms, fromDraw !== undefined && fromDraw >= ms ? fromDraw : undefined);
  }

  /** Takes one message from the client's allowance; a client past it is disconnected. */
  private allow(client: Client): boolean {
    const t = performance.now();
    const rate = this.caps.messagesPerSecond;
    client.allowance = Math.min(2 * rate, client.allowance + ((t - client.refilledAt) / 1000) * rate);
    client.refilledAt = t;
    if (client.allowance >= 1) {
      client.allowance--;
      return true;
    }
    this.drop(client, `more than ${rate} messages a second`);
    return false;
  }

  /** To one client, under the same caps as a broadcast: a client not reading gets no answers. */
  private sendTo(client: Client, msg: ServerMessage): void {
    if (client.gone || client.ws.readyState !== client.ws.OPEN) return;
    const buffered = client.ws.bufferedAmount;
    if (buffered > this.caps.hardBytes) {
      this.drop(client);
      return;
    }
    if (client.staleSince !== null) return;
    if (buffered > this.caps.softBytes) {
      client.staleSince = Date.now();
      return;
    }
    client.ws.send(JSON.stringify(msg));
  }

  /** Disconnects a client: with a close frame saying why when one is given, at once otherwise. */
  private drop(client: Client, why?: string): void {
    if (client.gone) return;
    client.gone = true;
    this.o.metrics.clientsDropped++;
    this.clients.delete(client);
    this.o.metrics.clients = this.clients.size;
    if (!why) {
      client.ws.terminate();
      return;
    }
    client.ws.close(CLOSE_TOO_MANY, why);
    // The client answers the close frame only after what it already queued (a flood: 1 s for 10,000
    // pings here); one that never answers is cut off.
    setTimeout(() => client.ws.terminate(), 5000).unref();
  }

  /** Stale clients: resync once drained, disconnect when stuck. */
  private checkStale(): void {
    const t = Date.now();
    for (const c of this.clients) {
      const buffered = c.ws.bufferedAmount;
      if (buffered > this.caps.hardBytes || (c.staleSince !== null && t - c.staleSince > this.caps.staleMs)) {
        this.drop(c);
      } else if (c.staleSince !== null && buffered < this.caps.softBytes / 4) {
        c.staleSince = null;
        this.sendTo(c, { type: 'state', state: this.o.snapshot() });
      }
    }
  }
}

/**
 * Upgrades on the server's one port: only /ws, only for a client `admit` lets in, and to the hub
 * of the setup its `?setup=` names (`find` says why there is none: answered 404).
 */
export function routeUpgrades(server: Server, admit: (req: IncomingMessage) => Refusal | null, find: (setup: string | null) => WsHub | string): void {
  const answer = (socket: Duplex, status: number, reason: string, text = ''): void => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text && `${text}\n`}`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return answer(socket, 404, 'Not Found');
    const refused = admit(req);
    if (refused) return answer(socket, refused.status, refused.status === 401 ? 'Unauthorized' : 'Forbidden', refused.message);
    const hub = find(url.searchParams.get('setup'));
    if (typeof hub === 'string') return answer(socket, 404, 'Not Found', hub);
    hub.accept(req, socket, head);
  });
}
