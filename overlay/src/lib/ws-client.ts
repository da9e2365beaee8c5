// The one WebSocket connection a page holds: connects to /ws, validates every message with the
// protocol's parser, reconnects with backoff forever, and treats a silent socket as dead.
import { parseServerMessage } from '../../../server/protocol.ts';
import type { ClientMessage, ServerMessage } from '../../../server/protocol.ts';

export interface WsHandlers {
  message(msg: ServerMessage): void;
  /** The socket closed or was given up on; a reconnect is scheduled. */
  lost(): void;
}

export interface WsClient {
  send(msg: ClientMessage): void;
  close(): void;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 5000;
const PING_EVERY_MS = 2000;
/** No message (not even a pong) for this long → the server is gone even if TCP did not say so. */
const SILENCE_MS = 6000;

export function wsUrl(loc: Location, token: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${loc.host}/ws${query}`;
}

export function connectWs(url: string, on: WsHandlers): WsClient {
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
