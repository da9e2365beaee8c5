import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { CHARACTERS } from '../game/labels.ts';
import { addServeOptions, resolveServeConfig, type ServeFlags } from '../server/options.ts';
import type { PlayersBody } from '../server/players.ts';
import type { PredictionMessage, RegionPrediction } from '../server/protocol.ts';
import { DEFAULT_SMOOTHING, type PredictionUpdate } from '../server/store.ts';
import type { TshStatus } from '../server/tsh.ts';
import { TshClient } from '../server/tsh-client.ts';
import { parseTshMap, resolveTsh, tshCharacter } from '../server/tsh-map.ts';
import { TshFeeder } from '../server/tsh.ts';
import { connectClient, fakeEngine, fakeFrames, LABELS_DEFAULT, startTestServer, tempDir, type TestClient, type TestServer } from './helpers/server.ts';
import { freePort, startFakeTsh, TSH_RECORDING, type FakeTsh } from './helpers/tsh.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function fakeTsh(o: Parameters<typeof startFakeTsh>[0] = {}): Promise<FakeTsh> {
  const tsh = await startFakeTsh(o);
  cleanup.push(() => tsh.close());
  return tsh;
}

async function until<T>(what: string, f: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the recorded TSH exchange', () => {
  it('the test TSH answers exactly what TSH answers, in order', async () => {
    const tsh = await fakeTsh();
    for (const { why, request, response } of TSH_RECORDING.exchange) {
      const res = await fetch(`${tsh.url}${request.path}`, {
        method: request.method,
        headers: request.contentType ? { 'Content-Type': request.contentType } : {},
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      expect(res.status, why).toBe(response.status);
      if (response.body !== undefined) expect(await res.text(), why).toBe(response.body);
      if (response.json !== undefined) expect(await res.json(), why).toEqual(response.json);
    }
  });

  it("smashsight's client sends the recorded request and reads the recorded state", async () => {
    const tsh = await fakeTsh();
    const client = new TshClient(tsh.url);
    const [set, state] = TSH_RECORDING.exchange;
    await client.setCharacter({ scoreboard: 1, team: 1, player: 1 }, tshCharacter('fox')!);
    expect(tsh.requests.at(-1)).toMatchObject({ method: set!.request.method, path: set!.request.path, contentType: set!.request.contentType, status: 200 });
    expect(JSON.parse(tsh.requests.at(-1)!.body)).toEqual(set!.request.body);
    const read = await client.programState();
    expect(tsh.requests.at(-1)).toMatchObject({ method: 'GET', path: state!.request.path });
    expect(read.game).toBe('ssbm');
    expect(read.character({ scoreboard: 1, team: 1, player: 1 })).toEqual({ codename: 'fox' });
    expect(read.character({ scoreboard: 1, team: 2, player: 1 })).toEqual({ codename: null });
    expect(read.character({ scoreboard: 2, team: 1, player: 1 })).toBeNull();
    await expect(client.setCharacter({ scoreboard: 9, team: 1, player: 1 }, tshCharacter('fox')!)).rejects.toThrow(/scoreboard9-update-team-1-1: HTTP 500/);
    await expect(new TshClient(`http://127.0.0.1:${await freePort()}`).programState()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a server that is not TSH, or does not answer, is an error naming the request', async () => {
    const other = http.createServer((req, res) => (req.url?.startsWith('/silent') ? undefined : res.end('<html>hello</html>')));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => {
      other.closeAllConnections();
      return new Promise((resolve) => other.close(resolve));
    });
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    await expect(new TshClient(url).setCharacter({ scoreboard: 1, team: 1, player: 1 }, tshCharacter('fox')!)).rejects.toThrow(
      /POST \/scoreboard1-update-team-1-1: answered "<html>hello<\/html>", not TSH's "OK"/,
    );
    await expect(new TshClient(url).programState()).rejects.toThrow(/GET \/program-state: not JSON/);
    await expect(new TshClient(`${url}/silent`, 200).programState()).rejects.toThrow(/no answer in time/);
  });

  it("maps every demo label, and every TSH Melee name, to TSH's own name and codename", () => {
    const tshNames = new Map(TSH_RECORDING.characters.map((c) => [c.en_name, c.codename]));
    for (const label of CHARACTERS) {
      const c = tshCharacter(label);
      expect(c, label).not.toBeNull();
      expect(tshNames.get(c!.en), label).toBe(c!.codename);
    }
    expect(tshCharacter('falcon')).toEqual({ en: 'Captain Falcon', codename: 'captain_falcon' });
    expect(tshCharacter('puff')?.en).toBe('Jigglypuff');
    for (const [en, codename] of tshNames) {
      if (codename === 'random') continue;
      expect(tshCharacter(en)?.codename, en).toBe(codename);
      expect(tshCharacter(codename)?.en, codename).toBe(en);
    }
    expect(tshCharacter('unknown')).toBeNull();
    expect(tshCharacter('waluigi')).toBeNull();
  });

  it('checks --tsh and --tsh-map where they enter', () => {
    const regions = ['p1', 'p2'];
    expect(parseTshMap('--tsh-map', 'p1=1.1.1, p2=1.2.1', regions)).toEqual([
      { region: 'p1', scoreboard: 1, team: 1, player: 1 },
      { region: 'p2', scoreboard: 1, team: 2, player: 1 },
    ]);
    expect(parseTshMap('x.json: "tshMap"', { p2: '2.1.3' }, regions)).toEqual([{ region: 'p2', scoreboard: 2, team: 1, player: 3 }]);
    expect(parseTshMap('--tsh-map', 'frame=1.1.1', [])).toEqual([{ region: 'frame', scoreboard: 1, team: 1, player: 1 }]);
    expect(() => parseTshMap('--tsh-map', 'p3=1.1.1', regions)).toThrow("--tsh-map: no region 'p3' (regions: p1, p2)");
    expect(() => parseTshMap('--tsh-map', 'p1=1.3.1', regions)).toThrow(/--tsh-map: p1=1.3.1: must be scoreboard.team.player/);
    expect(() => parseTshMap('--tsh-map', 'p1=1.1', regions)).toThrow(/must be scoreboard.team.player/);
    expect(() => parseTshMap('--tsh-map', 'p1', regions)).toThrow(/'p1' must be region=scoreboard.team.player/);
    expect(() => parseTshMap('--tsh-map', 'p1=1.1.1,p2=1.1.1', regions)).toThrow('--tsh-map: p2 and p1 both go to 1.1.1');
    expect(() => parseTshMap('--tsh-map', 'p1=1.1.1,p1=1.2.1', regions)).toThrow("--tsh-map: region 'p1' is mapped twice");
    const url = (value: unknown) => ({ where: '--tsh', value });
    const map = (value: unknown) => ({ where: '--tsh-map', value });
    expect(resolveTsh(url(undefined), map(undefined), regions)).toBeUndefined();
    expect(resolveTsh(url('http://127.0.0.1:5000/'), map('p1=1.1.1'), regions)?.url).toBe('http://127.0.0.1:5000');
    expect(() => resolveTsh(url('localhost:5000'), map('p1=1.1.1'), regions)).toThrow(/--tsh: 'localhost:5000' must be an http/);
    expect(() => resolveTsh(url('127.0.0.1:5000'), map('p1=1.1.1'), regions)).toThrow(/--tsh: '127.0.0.1:5000' is not a URL/);
    expect(() => resolveTsh(url('http://127.0.0.1:5000/?x=1'), map('p1=1.1.1'), regions)).toThrow(/TSH's address alone/);
    expect(() => resolveTsh(url('nope'), map('p1=1.1.1'), regions)).toThrow(/--tsh: 'nope' is not a URL/);
    expect(() => resolveTsh(url(undefined), map('p1=1.1.1'), regions)).toThrow(/--tsh-map: needs --tsh/);
    expect(() => resolveTsh(url('http://127.0.0.1:5000'), map(undefined), regions)).toThrow(/--tsh: needs --tsh-map/);
  });
});

/** One frame's smoothed regions, as the store hands them to the publish stage. */
function frame(t: number, regions: Record<string, Partial<RegionPrediction> & { label: string }>): PredictionUpdate {
  return {
    prediction: {
      type: 'prediction',
      seq: t,
      capturedAt: t,
      regions: Object.entries(regions).map(([name, r]) => ({ name, top: [], confidence: 0.9, overridden: false, smoothed: r.label, ...r })),
    },
    labels: [],
  };
}

describe('TshFeeder (frames in frame time)', () => {
  const smoothing = { holdMs: 300, floor: 0.5 };
  const slots = [
    { region: 'p1', scoreboard: 1, team: 1, player: 1 },
    { region: 'p2', scoreboard: 1, team: 2, player: 1 },
  ];

  async function feeder(tsh: FakeTsh): Promise<TshFeeder> {
    const f = new TshFeeder({ config: { url: tsh.url, slots, pollMs: 50 }, smoothing });
    cleanup.push(() => f.close());
    await until('a first read of TSH', () => f.status().reachable);
    return f;
  }
  const idle = (f: TshFeeder): boolean => f.status().slots.every((s) => s.pending === null);

  it('pushes a character only once it has held for the hold time, confident, never unknown', async () => {
    const tsh = await fakeTsh();
    const f = await feeder(tsh);
    // Shown for less than the hold time (0 → 250 ms), then another label: nothing goes.
    for (let t = 0; t <= 250; t += 50) f.observe(frame(t, { p1: { label: 'marth' }, p2: { label: 'unknown' } }));
    for (let t = 300; t <= 550; t += 50) f.observe(frame(t, { p1: { label: 'fox', confidence: 0.4 }, p2: { label: 'unknown', confidence: 0.95 } }));
    expect(idle(f)).toBe(true);
    expect(tsh.updates()).toEqual([]);
    // Confident from 600 ms: still nothing at 850 ms, Fox at 900 ms.
    for (let t = 600; t <= 850; t += 50) f.observe(frame(t, { p1: { label: 'fox' }, p2: { label: 'unknown' } }));
    expect(idle(f) && tsh.updates().length === 0).toBe(true);
    f.observe(frame(900, { p1: { label: 'fox' }, p2: { label: 'unknown' } }));
    expect(f.status().slots[0]!.pending).toBe('Fox');
    await until('Fox in TSH', () => tsh.shown(1, 1, 1) === 'fox');
    expect(tsh.updates().map((u) => [u.path, u.body])).toEqual([['/scoreboard1-update-team-1-1', { mains: { ssbm: [['Fox', 0]] } }]]);
    // The same character again is not pushed again; a label TSH's Melee lacks is never pushed.
    await until('idle', () => idle(f));
    for (let t = 950; t <= 1500; t += 50) f.observe(frame(t, { p1: { label: 'fox' }, p2: { label: 'waluigi' } }));
    expect(idle(f)).toBe(true);
    expect(tsh.updates()).toHaveLength(1);
    expect(f.status().slots[0]).toMatchObject({ pushed: 'Fox', locked: null, pushes: 1, failures: 0 });
  });

  it('a change made in TSH locks the slot until unlocked; the next game unlocks every slot', async () => {
    const tsh = await fakeTsh();
    const f = await feeder(tsh);
    for (let t = 0; t <= 300; t += 50) f.observe(frame(t, { p1: { label: 'fox' }, p2: { label: 'marth' } }));
    await until('both pushed', () => tsh.shown(1, 1, 1) === 'fox' && tsh.shown(1, 2, 1) === 'marth');
    await until('pushes seen in TSH', () => f.status().slots.every((s) => s.inTsh === s.pushed?.toLowerCase()));
    tsh.edit(1, 1, 1, 'Falco');
    await until('p1 locked', () => f.lockOf('p1') === 'tsh');
    for (let t = 350; t <= 1000; t += 50) f.observe(frame(t, { p1: { label: 'sheik' }, p2: { label: 'marth' } }));
    expect(idle(f)).toBe(true);
    expect(tsh.shown(1, 1, 1)).toBe('falco');
    expect(f.lockOf('p2')).toBeNull();
    expect(f.unlock('p9')).toEqual({ ok: false, error: "no TSH slot for region 'p9' (mapped: p1, p2)" });
    expect(f.unlock('p1').ok).toBe(true);
    for (let t = 1050; t <= 1400; t += 50) f.observe(frame(t, { p1: { label: 'sheik' }, p2: { label: 'marth' } }));
    await until('Sheik after the unlock', () => tsh.shown(1, 1, 1) === 'sheik');
    await until('idle', () => idle(f) && f.status().slots[0]!.inTsh === 'sheik');
    tsh.edit(1, 1, 1, 'Peach');
    await until('p1 locked again', () => f.lockOf('p1') === 'tsh');
    // Between games (no character in any mapped region), then the next game's characters go.
    for (let t = 1450; t <= 1600; t += 50) f.observe(frame(t, { p1: { label: 'unknown' }, p2: { label: 'unknown' } }));
    expect(f.lockOf('p1')).toBeNull();
    for (let t = 1650; t <= 2000; t += 50) f.observe(frame(t, { p1: { label: 'sheik' }, p2: { label: 'marth' } }));
    await until('the next game pushed', () => tsh.updates().length === 5);
    expect(tsh.shown(1, 1, 1)).toBe('sheik');
    expect(
      tsh
        .updates()
        .map((u) => `${u.path} ${JSON.stringify(u.body)}`)
        .slice(3)
        .sort(),
    ).toEqual(['/scoreboard1-update-team-1-1 {"mains":{"ssbm":[["Sheik",0]]}}', '/scoreboard1-update-team-2-1 {"mains":{"ssbm":[["Marth",0]]}}']);
  });
});

describe('serve --tsh (the real server, the test TSH)', () => {
  const HOLD = 400;
  const regions = [
    { name: 'p1', x: 0, y: 400, w: 100, h: 80 },
    { name: 'p2', x: 500, y: 400, w: 100, h: 80 },
  ];
  const slots = parseTshMap('--tsh-map', 'p1=1.1.1,p2=1.2.1', ['p1', 'p2']);

  interface Rig {
    srv: TestServer;
    ws: TestClient;
    /** The label each region's crop shows the engine (null: nothing stands out, no confidence). */
    hot: (string | null)[];
    api<T>(p: string): Promise<T>;
    post(p: string, body: unknown, type?: string): Promise<Response>;
    /** Waits out twice the hold time of frames in which `region`'s model label is `label`. */
    heldLonger(region: string, label: string): Promise<void>;
  }

  async function rig(tshUrl: string | null, hot: (string | null)[], extra: { backoff?: { initialMs: number; maxMs: number } } = {}): Promise<Rig> {
    const probs = (i: number): number[] => LABELS_DEFAULT.map((l) => (hot[i] === null ? 1 / LABELS_DEFAULT.length : l === hot[i] ? 0.93 : 0.01));
    const srv = await startTestServer({
      openFrames: fakeFrames({ fps: 20 }),
      readyEngine: fakeEngine({ probs }),
      regions,
      smoothing: { ...DEFAULT_SMOOTHING, holdMs: HOLD },
      ...(tshUrl && { tsh: { url: tshUrl, slots, pollMs: 100, ...extra } }),
    });
    cleanup.push(() => srv.stop());
    const ws = await connectClient(srv.wsUrl);
    cleanup.push(() => ws.close());
    const region = (m: PredictionMessage, name: string): RegionPrediction | undefined => m.regions.find((r) => r.name === name);
    return {
      srv,
      ws,
      hot,
      api: async <T>(p: string) => (await (await fetch(`${srv.url}${p}`)).json()) as T,
      post: (p, body, type = 'application/json') => fetch(`${srv.url}${p}`, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) }),
      heldLonger: async (name, label) => {
        const first = await ws.next('prediction', (m) => region(m, name)?.smoothed === label);
        await ws.next('prediction', (m) => region(m, name)?.smoothed === label && m.capturedAt >= first.capturedAt + 2 * HOLD);
      },
    };
  }

  it('pushes each held, confident character under its TSH name; an override is relayed and locks the slot until cleared; /api/players', async () => {
    const tsh = await fakeTsh();
    const r = await rig(tsh.url, [null, null]);
    // Nothing stands out: every region unknown, nothing goes to TSH.
    await r.ws.next('prediction', (m) => m.seq >= 20 && m.regions.every((x) => x.label === 'unknown'));
    expect(tsh.updates()).toEqual([]);
    expect(await r.api<PlayersBody>('/api/players')).toEqual({
      players: [
        { region: 'p1', setup: 'default', character: 'unknown', confidence: expect.any(Number), locked: false },
        { region: 'p2', setup: 'default', character: 'unknown', confidence: expect.any(Number), locked: false },
      ],
    });

    r.hot[0] = 'falcon';
    r.hot[1] = 'puff';
    const shown = await r.ws.next('label', (l) => l.region === 'p1' && l.label === 'falcon');
    await until('both characters in TSH', () => tsh.shown(1, 1, 1) === 'captain_falcon' && tsh.shown(1, 2, 1) === 'jigglypuff');
    const first = tsh.updates().find((u) => u.path === '/scoreboard1-update-team-1-1')!;
    expect(first.body).toEqual({ mains: { ssbm: [['Captain Falcon', 0]] } });
    expect(first.at - shown.capturedAt!).toBeGreaterThanOrEqual(HOLD - 20); // not before the hold time (the clocks may differ by ms)
    expect(
      tsh
        .updates()
        .map((u) => JSON.stringify(u.body))
        .sort(),
    ).toEqual(['{"mains":{"ssbm":[["Captain Falcon",0]]}}', '{"mains":{"ssbm":[["Jigglypuff",0]]}}']);
    expect(await r.api<PlayersBody>('/api/players')).toEqual({
      players: [
        { region: 'p1', setup: 'default', character: 'falcon', confidence: expect.any(Number), locked: false },
        { region: 'p2', setup: 'default', character: 'puff', confidence: expect.any(Number), locked: false },
      ],
    });
    expect((await r.api<TshStatus>('/api/tsh')).slots[0]).toMatchObject({ region: 'p1', pushed: 'Captain Falcon', locked: null, pushes: 1 });

    // The operator's override goes to TSH once and locks the slot against the model.
    expect((await r.post('/api/override', { region: 'p1', label: 'marth' })).status).toBe(200);
    await until('the override in TSH', () => tsh.shown(1, 1, 1) === 'marth');
    expect((await r.api<TshStatus>('/api/tsh')).slots[0]!.locked).toBe('operator');
    expect((await r.api<PlayersBody>('/api/players')).players[0]).toMatchObject({ character: 'marth', locked: true });
    r.hot[0] = 'fox';
    await r.heldLonger('p1', 'fox');
    expect(tsh.shown(1, 1, 1)).toBe('marth');
    expect(tsh.updates().filter((u) => JSON.stringify(u.body).includes('Fox'))).toEqual([]);
    // Clearing the override unlocks: the model's character goes after the hold time.
    expect((await r.post('/api/override', { region: 'p1', label: null })).status).toBe(200);
    await until('Fox after the override is cleared', () => tsh.shown(1, 1, 1) === 'fox');
    expect((await r.api<TshStatus>('/api/tsh')).slots[0]).toMatchObject({ pushed: 'Fox', locked: null });
    expect(tsh.shown(1, 2, 1)).toBe('jigglypuff');
  });

  it('a character changed in TSH locks that slot across label changes until POST /api/tsh/unlock', async () => {
    const tsh = await fakeTsh();
    const r = await rig(tsh.url, ['fox', 'marth']);
    await until('both pushed and read back', async () =>
      (await r.api<TshStatus>('/api/tsh')).slots.every((s) => s.inTsh !== null && s.inTsh === s.pushed?.toLowerCase()),
    );
    tsh.edit(1, 1, 1, 'Falco');
    await until('p1 locked', async () => (await r.api<TshStatus>('/api/tsh')).slots[0]!.locked === 'tsh');
    expect((await r.api<PlayersBody>('/api/players')).players.map((p) => p.locked)).toEqual([true, false]);
    r.hot[0] = 'sheik';
    await r.heldLonger('p1', 'sheik');
    expect(tsh.shown(1, 1, 1)).toBe('falco');
    expect((await r.post('/api/tsh/unlock', { region: 'p9' })).status).toBe(400);
    expect((await r.post('/api/tsh/unlock', { region: 'p1' }, 'text/plain')).status).toBe(415);
    const unlocked = await r.post('/api/tsh/unlock', { region: 'p1' });
    expect(unlocked.status).toBe(200);
    expect(((await unlocked.json()) as TshStatus).slots[0]!.locked).toBeNull();
    await until('Sheik after the unlock', () => tsh.shown(1, 1, 1) === 'sheik');
    expect(tsh.shown(1, 2, 1)).toBe('marth');
  });

  it('TSH down: reported in /api/tsh and /health, retried with backoff until it answers; the server goes on', async () => {
    const port = await freePort();
    const r = await rig(`http://127.0.0.1:${port}`, ['fox', null], { backoff: { initialMs: 200, maxMs: 1000 } });
    const down = await until('TSH reported down with retries', async () => {
      const s = await r.api<TshStatus>('/api/tsh');
      return s.reachable === false && s.slots[0]!.failures >= 2 ? s : null;
    });
    expect(down.lastError).toMatch(/ECONNREFUSED/);
    expect(down.slots[0]).toMatchObject({ pending: 'Fox', pushed: null, lastError: expect.stringMatching(/scoreboard1-update-team-1-1: ECONNREFUSED/) });
    expect(down.slots[0]!.retryInMs === null || down.slots[0]!.retryInMs <= 1000).toBe(true);
    const health = await fetch(`${r.srv.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { tsh: unknown }).tsh).toMatchObject({ reachable: false, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect((await r.api<PlayersBody>('/api/players')).players[0]).toMatchObject({ character: 'fox', locked: false });

    const tsh = await fakeTsh({ port });
    await until('Fox once TSH is up', () => tsh.shown(1, 1, 1) === 'fox');
    await until('reachable again', async () => (await r.api<TshStatus>('/api/tsh')).reachable === true);
    expect((await r.api<TshStatus>('/api/tsh')).slots[0]).toMatchObject({ pushed: 'Fox', pending: null, lastError: null });
    expect(tsh.updates()).toHaveLength(1);
  });

  it('without --tsh: /api/tsh is 404, /api/players answers', async () => {
    const r = await rig(null, ['fox', null]);
    expect((await fetch(`${r.srv.url}/api/tsh`)).status).toBe(404);
    expect((await r.post('/api/tsh/unlock', { region: 'p1' })).status).toBe(404);
    await r.ws.next('label', (l) => l.region === 'p1' && l.label === 'fox');
    expect((await r.api<PlayersBody>('/api/players')).players.map((p) => [p.region, p.character, p.locked])).toEqual([
      ['p1', 'fox', false],
      ['p2', 'unknown', false],
    ]);
  });

  it('--tsh and --tsh-map, or the config file keys tsh and tshMap', () => {
    const resolve = (args: string[], file?: unknown) => {
      const cmd = addServeOptions(new Command('serve').exitOverride());
      if (file !== undefined) {
        const f = path.join(tempDir(), 'smashsight.json');
        fs.writeFileSync(f, JSON.stringify(file));
        args = [...args, '--config', f];
      }
      cmd.parse(['--model', 'm', '--source', 's', ...args], { from: 'user' });
      return resolveServeConfig(cmd.opts<ServeFlags>(), cmd);
    };
    const two = ['--region', 'p1=0,0,10,10', '--region', 'p2=20,0,10,10'];
    expect(resolve(two).tsh).toBeUndefined();
    expect(resolve([...two, '--tsh', 'http://127.0.0.1:5000', '--tsh-map', 'p2=1.1.1,p1=1.2.1']).tsh).toEqual({
      url: 'http://127.0.0.1:5000',
      slots: [
        { region: 'p2', scoreboard: 1, team: 1, player: 1 },
        { region: 'p1', scoreboard: 1, team: 2, player: 1 },
      ],
    });
    const file = { regions: ['p1=0,0,10,10'], tsh: 'http://tsh.local:5000', tshMap: { p1: '2.1.1' } };
    expect(resolve([], file).tsh).toEqual({ url: 'http://tsh.local:5000', slots: [{ region: 'p1', scoreboard: 2, team: 1, player: 1 }] });
    expect(() => resolve([], { ...file, tshMap: 'p3=1.1.1' })).toThrow(/smashsight.json: "tshMap": no region 'p3' \(regions: p1\)/);
    expect(() => resolve([...two, '--tsh-map', 'p1=1.1.1'])).toThrow(/^--tsh-map: needs --tsh/);
    expect(() => resolve([...two, '--tsh', 'ftp://x'])).toThrow(/^--tsh: needs --tsh-map/);
  });
});
