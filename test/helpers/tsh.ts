// A tiny TournamentStreamHelper web server for tests: exactly the exchange recorded from TSH's
// source in tsh-exchange.json (the update route, /program-state, their refusals) and nothing else.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Recorded {
  game: { name: string; smashgg_id: number; codename: string };
  characters: { en_name: string; codename: string }[];
  exchange: {
    why: string;
    request: { method: string; path: string; contentType?: string; body?: unknown };
    response: { status: number; body?: string; json?: unknown };
  }[];
}

export const TSH_RECORDING = JSON.parse(fs.readFileSync(new URL('./tsh-exchange.json', import.meta.url), 'utf8')) as Recorded;

type Character = Record<string, unknown>;

export interface TshRequest {
  method: string;
  path: string;
  contentType: string;
  body: string;
  at: number;
  status: number;
}

export interface FakeTsh {
  url: string;
  port: number;
  requests: TshRequest[];
  /** Update POSTs accepted, in order. */
  updates(): { path: string; body: unknown; at: number }[];
  /** The codename shown in scoreboard n, team t, player p (null: none). */
  shown(n: number, t: number, p: number): string | null;
  /** Someone picks a character in TSH's own window. */
  edit(n: number, t: number, p: number, en: string): void;
  close(): Promise<void>;
}

const UPDATE = /^\/scoreboard(\d+)-update-team-(\d+)-(\d+)$/;

export interface FakeTshOptions {
  port?: number;
  scoreboards?: number;
  playersPerTeam?: number;
  /** The game loaded in TSH (its codename): mains for another game are ignored, as TSH does. */
  game?: string;
}

export async function startFakeTsh(o: FakeTshOptions = {}): Promise<FakeTsh> {
  const empty = (): Character => ({ name: '', assets: {}, skin: 0 });
  const score: Record<string, { team: Record<string, { player: Record<string, { character: Record<string, Character> }> }> }> = {};
  for (let n = 1; n <= (o.scoreboards ?? 1); n++) {
    const team: (typeof score)[string]['team'] = {};
    for (let t = 1; t <= 2; t++) {
      const player: (typeof team)[string]['player'] = {};
      for (let p = 1; p <= (o.playersPerTeam ?? 1); p++) player[p] = { character: { 1: empty() } };
      team[t] = { player };
    }
    score[n] = { team };
  }
  const game = { ...TSH_RECORDING.game, codename: o.game ?? TSH_RECORDING.game.codename };
  const setCharacter = (n: number, t: number, p: number, en: string): void => {
    const c = TSH_RECORDING.characters.find((x) => x.en_name === en);
    score[n]!.team[t]!.player[p]!.character[1] = c
      ? { name: c.en_name, en_name: c.en_name, display_name: c.en_name, codename: c.codename, assets: {}, skin: 0 }
      : empty();
  };
  const requests: TshRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const body = Buffer.concat(chunks).toString('utf8');
      const record: TshRequest = { method: req.method ?? 'GET', path, contentType, body, at: Date.now(), status: 0 };
      requests.push(record);
      const answer = (status: number, text: string, type = 'text/html; charset=utf-8'): void => {
        record.status = status;
        res.writeHead(status, { 'Content-Type': type });
        res.end(text);
      };
      if (path === '/program-state' && req.method === 'GET') return answer(200, JSON.stringify({ game, score }), 'application/json');
      const m = UPDATE.exec(path);
      if (!m) return answer(404, 'Not Found'); // TSH would look for a file by that name
      if (req.method !== 'POST') return answer(405, 'Method Not Allowed');
      if (contentType !== 'application/json') return answer(415, 'Unsupported Media Type');
      const [n, t, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const widget = score[n]?.team[t]?.player[p];
      if (!widget) return answer(500, 'Internal Server Error');
      let data: unknown;
      try {
        data = JSON.parse(body);
      } catch {
        return answer(400, 'Bad Request');
      }
      // SetData: mains as a dict → the loaded game's list; entry i sets character box i.
      const mains = (data as { mains?: unknown }).mains;
      if (mains && typeof mains === 'object' && !Array.isArray(mains)) {
        const list = (mains as Record<string, unknown>)[game.codename];
        if (Array.isArray(list) && Array.isArray(list[0])) setCharacter(n, t, p, String(list[0][0]));
      }
      answer(200, 'OK');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    updates: () =>
      requests.filter((r) => r.status === 200 && UPDATE.test(r.path)).map((r) => ({ path: r.path, body: JSON.parse(r.body) as unknown, at: r.at })),
    shown: (n, t, p) => {
      const c = score[n]?.team[t]?.player[p]?.character[1];
      return typeof c?.codename === 'string' ? c.codename : null;
    },
    edit: setCharacter,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (TSH not started yet). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
