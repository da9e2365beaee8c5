import { afterEach, describe, expect, it } from 'vitest';
import { CHARACTERS } from '../game/labels.ts';
import type { RegionPrediction } from '../server/protocol.ts';
import type { PredictionUpdate } from '../server/store.ts';
import { TshClient } from '../server/tsh-client.ts';
import { parseTshMap, resolveTsh, tshCharacter } from '../server/tsh-map.ts';
import { TshFeeder } from '../server/tsh.ts';
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
