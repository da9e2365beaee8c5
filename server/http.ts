// HTTP on the server's one port: pages, the JSON API, the preview thumbnail, health and metrics.
// Bodies are size-limited and validated here, at the edge; the handlers behind trust them.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusal, type Gate } from './auth.ts';
import { LIMITS, validateOverrideBody, validateRegionsBody } from './protocol.ts';
import type { OverrideBody, Parsed, RegionsBody, State } from './protocol.ts';
import { contentType, resolveStatic } from './static.ts';
import { validateUnlockBody, type TshStatus } from './tsh.ts';

/** What one setup answers (the API's per-setup endpoints, chosen with `?setup=`). */
export interface SetupHandlers {
  state(): State;
  setOverride(body: OverrideBody): Parsed<State>;
  setRegions(body: RegionsBody): Parsed<State>;
  preview(): Promise<Buffer | null>;
  /** GET /api/tsh, POST /api/tsh/unlock; absent without --tsh. */
  tsh?: { status(): TshStatus; unlock(region: string): Parsed<TshStatus> };
}

export interface HttpHandlers {
  /** Absolute folder of the built pages (dist/overlay). */
  root: string;
  /** Who may read and who may change (server/auth.ts). */
  gate: Gate;
  /** The setup a request's `?setup=` names (null: none named, the first); a string says why there is none. */
  setup(name: string | null): SetupHandlers | string;
  /** `ok: false` answers 503, so a monitor needs no JSON to tell. */
  health(): { ok: boolean } & Record<string, unknown>;
  metrics(): string;
  /** GET /api/players (PROTOCOL.md): every setup's, or the one `?setup=` names. */
  players(setup: SetupHandlers | null): unknown;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown): void => send(res, status, 'application/json', JSON.stringify(value));

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > LIMITS.bodyBytes) {
      reject(new HttpError(413, `body larger than ${LIMITS.bodyBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > LIMITS.bodyBytes) {
        reject(new HttpError(413, `body larger than ${LIMITS.bodyBytes} bytes`));
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(new HttpError(400, `body is not JSON: ${(err as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

async function mutate<T, R = State>(
  req: IncomingMessage,
  h: Pick<HttpHandlers, 'gate'>,
  validate: (raw: unknown) => Parsed<T>,
  apply: (v: T) => Parsed<R>,
): Promise<R> {
  const refused = refusal(req, h.gate, 'change');
  if (refused) throw new HttpError(refused.status, refused.message);
  // A form or text/plain POST is one a page on another site may send without asking (no CORS
  // preflight); JSON is not.
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `Content-Type must be application/json (got ${type ? `'${type}'` : 'none'})`);
  const body = validate(await readBody(req));
  if (!body.ok) throw new HttpError(400, body.error);
  const result = apply(body.value);
  if (!result.ok) throw new HttpError(400, result.error);
  return result.value;
}

function tshOf(h: SetupHandlers): NonNullable<SetupHandlers['tsh']> {
  if (!h.tsh) throw new HttpError(404, 'TSH is not configured (start with --tsh and --tsh-map)');
  return h.tsh;
}

async function route(req: IncomingMessage, res: ServerResponse, h: HttpHandlers): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const method = req.method ?? 'GET';
  const refused = refusal(req, h.gate, 'read');
  if (refused) throw new HttpError(refused.status, refused.message);
  const named = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('setup');
  const setup = (): SetupHandlers => {
    const s = h.setup(named);
    if (typeof s === 'string') throw new HttpError(404, s);
    return s;
  };
  if (method === 'POST' && path === '/api/override') return json(res, 200, await mutate(req, h, validateOverrideBody, setup().setOverride));
  if (method === 'POST' && path === '/api/regions') return json(res, 200, await mutate(req, h, validateRegionsBody, setup().setRegions));
  if (method === 'POST' && path === '/api/tsh/unlock') {
    const s = setup();
    return json(res, 200, await mutate(req, h, validateUnlockBody, (b) => tshOf(s).unlock(b.region)));
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} ${path} is not supported`);
  switch (path) {
    case '/api/state':
      return json(res, 200, setup().state());
    case '/api/players':
      return json(res, 200, h.players(named === null ? null : setup()));
    case '/api/tsh':
      return json(res, 200, tshOf(setup()).status());
    case '/health': {
      const health = h.health();
      return json(res, health.ok ? 200 : 503, health);
    }
    case '/metrics':
      return send(res, 200, 'text/plain; version=0.0.4', h.metrics());
    case '/api/preview.jpg': {
      const jpeg = await setup().preview();
      if (!jpeg) throw new HttpError(404, 'no frame yet');
      return send(res, 200, 'image/jpeg', jpeg);
    }
  }
  if (path.startsWith('/api/')) throw new HttpError(404, `no such endpoint ${path}`);
  const file = resolveStatic(h.root, path);
  if (!file) throw new HttpError(404, 'not found');
  send(res, 200, contentType(file), await fs.promises.readFile(file));
}

export function createHandler(h: HttpHandlers): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res, h).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) res.destroy();
      else {
        // A refused POST's body may be unread: close rather than parse it as the next request.
        if (status === 413 || req.method === 'POST') res.setHeader('Connection', 'close');
        json(res, status, { error: message });
      }
    });
  };
}
