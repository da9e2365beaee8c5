// Several setups in one server (issue 10 §3): each setup's label, override and regions stay its
// own, across one engine that batches every setup's crops. Real server, real ffmpeg sources (a red
// and a blue lavfi picture, and the synthetic game); the engine names the colour it is given, so a
// crop that went back to the wrong setup would show the other setup's label.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine.ts';
import type { LabelMessage, PredictionMessage, State } from '../server/protocol.ts';
import { DEFAULT_SMOOTHING } from '../server/store.ts';
import type { SetupConfig } from '../server/setup.ts';
import { connectClient, LABELS_DEFAULT, startTestServer, type TestClient, type TestServer } from './helpers/server.ts';
import { launchBrowser, openPage } from './helpers/browser.ts';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { addServeOptions, resolveServeConfig, type ServeFlags } from '../server/options.ts';
import type { ServeConfig } from '../server/serve.ts';
import { tempDir } from './helpers/server.ts';
import { parseOverlayParams } from '../overlay/src/lib/params.ts';
import { startCliServer } from './helpers/cli-server.ts';
import { EngineQueue } from '../server/engine-queue.ts';
import { tshCharacter } from '../server/tsh-map.ts';
import { startFakeTsh, type FakeTsh } from './helpers/tsh.ts';

const LABELS = [...LABELS_DEFAULT];
const RED = LABELS[0]!;
const BLUE = LABELS[1]!;
const OTHER = LABELS[2]!;

/** Per crop: red-dominant → RED, blue-dominant → BLUE, else OTHER; each call takes 40 ms so crops queue. */
function colourEngine(): Engine & { sizes: number[] } {
  const w = 32;
  const h = 32;
  const engine = {
    name: 'colour',
    provider: 'test',
    threads: 1,
    width: w,
    height: h,
    outputSize: LABELS.length,
    sizes: [] as number[],
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      engine.sizes.push(n);
      await new Promise((r) => setTimeout(r, 40));
      const out = new Float32Array(n * LABELS.length).fill(0.01);
      for (let i = 0; i < n; i++) {
        let r = 0;
        let b = 0;
        for (let p = i * w * h * 3; p < (i + 1) * w * h * 3; p += 3) {
          r += frames[p]!;
          b += frames[p + 2]!;
        }
        const hot = r > 2 * b ? 0 : b > 2 * r ? 1 : 2;
        out[i * LABELS.length + hot] = 0.9;
      }
      return out;
    },
    async dispose(): Promise<void> {},
  };
  return engine;
}

const smoothing = { ...DEFAULT_SMOOTHING, holdMs: 100 };
const colour = (c: string): string => `ffmpeg:-re -f lavfi -i color=c=${c}:size=160x120:rate=10`;
/** a: one region, b: two, c: the whole synthetic frame; a and b feed their own TSH scoreboards. */
const setupsFor = (tsh: string): SetupConfig[] => [
  {
    name: 'a',
    source: colour('red'),
    regions: [{ name: 'p1', x: 0, y: 0, w: 80, h: 60 }],
    smoothing,
    tsh: { url: tsh, slots: [{ region: 'p1', scoreboard: 1, team: 1, player: 1 }], pollMs: 200 },
  },
  {
    name: 'b',
    source: colour('blue'),
    regions: [
      { name: 'q1', x: 0, y: 0, w: 80, h: 60 },
      { name: 'q2', x: 80, y: 60, w: 80, h: 60 },
    ],
    smoothing,
    tsh: {
      url: tsh,
      slots: [
        { region: 'q1', scoreboard: 2, team: 1, player: 1 },
        { region: 'q2', scoreboard: 2, team: 2, player: 1 },
      ],
      pollMs: 200,
    },
  },
  { name: 'c', source: 'synthetic:3', regions: [], smoothing },
];
const codename = (label: string): string => tshCharacter(label)!.codename;

const predictions = (c: TestClient): PredictionMessage[] => c.messages.filter((m): m is PredictionMessage => m.type === 'prediction');
const labelsOf = (c: TestClient): LabelMessage[] => c.messages.filter((m): m is LabelMessage => m.type === 'label');

describe('several setups in one server', () => {
  let srv: TestServer;
  let tsh: FakeTsh;
  let engine: ReturnType<typeof colourEngine>;
  const clients: Record<string, TestClient> = {};

  beforeAll(async () => {
    engine = colourEngine();
    tsh = await startFakeTsh({ scoreboards: 2 });
    srv = await startTestServer({ setups: setupsFor(tsh.url), readyEngine: engine, labels: LABELS, captureFps: 10 });
    for (const s of ['a', 'b', 'c']) clients[s] = await connectClient(`${srv.wsUrl}?setup=${s}`);
    // Each setup's own label shows once held (a: red, b: blue); c's frames flow.
    await clients.a!.next('label', (m) => m.label === RED);
    await clients.b!.next('label', (m) => m.label === BLUE && m.region === 'q1');
    await clients.c!.next('prediction');
  }, 60_000);

  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
    await srv?.stop();
    await tsh?.close();
  });

  it("each setup feeds its own TSH slots, and /api/tsh?setup= shows only that setup's", async () => {
    await expect
      .poll(() => [tsh.shown(1, 1, 1), tsh.shown(2, 1, 1), tsh.shown(2, 2, 1)], { timeout: 15_000 })
      .toEqual([codename(RED), codename(BLUE), codename(BLUE)]);
    const b = (await (await fetch(`${srv.url}/api/tsh?setup=b`)).json()) as { slots: { region: string }[] };
    expect(b.slots.map((s) => s.region)).toEqual(['q1', 'q2']);
    expect((await fetch(`${srv.url}/api/tsh?setup=c`)).status).toBe(404);
  });

  it('each page gets its setup: hello names it and lists every setup; its regions only', async () => {
    for (const [name, regions] of [
      ['a', ['p1']],
      ['b', ['q1', 'q2']],
      ['c', ['frame']],
    ] as const) {
      const hello = clients[name]!.messages[0]!;
      expect(hello.type).toBe('hello');
      const state = (hello as { state: State }).state;
      expect(state.setup).toBe(name);
      expect(state.setups).toEqual(['a', 'b', 'c']);
      expect(state.regions.map((r) => r.name)).toEqual(regions);
      for (const p of predictions(clients[name]!)) expect(p.regions.map((r) => r.name)).toEqual(regions);
    }
  });

  it("one engine batches every setup's crops, and each crop's result goes back to its own setup", async () => {
    const before = predictions(clients.a!).length;
    await clients.a!.next('prediction', () => predictions(clients.a!).length > before + 20, 30_000);
    // Crops of several setups went through single engine calls (a: 1 crop, b: 2, c: 1).
    expect(Math.max(...engine.sizes)).toBeGreaterThan(2);
    expect(srv.server.queue!.items).toBeGreaterThan(srv.server.queue!.calls);
    // The raw top guess of every prediction is its own source's colour, never another setup's.
    for (const p of predictions(clients.a!)) for (const r of p.regions) expect(r.top[0]!.label).toBe(RED);
    for (const p of predictions(clients.b!)) for (const r of p.regions) expect(r.top[0]!.label).toBe(BLUE);
    expect(labelsOf(clients.a!).every((l) => l.label !== BLUE)).toBe(true);
    expect(labelsOf(clients.b!).every((l) => l.label !== RED)).toBe(true);
  });

  it("an override in one setup never shows in another, and names only that setup's regions", async () => {
    const post = (setup: string, body: unknown): Promise<Response> =>
      fetch(`${srv.url}/api/override?setup=${setup}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const from = clients.a!.messages.length;
    const res = await post('b', { region: 'q1', label: OTHER });
    expect(res.status).toBe(200);
    expect(((await res.json()) as State).overrides).toEqual({ q1: OTHER });
    await clients.b!.next('label', (m) => m.region === 'q1' && m.label === OTHER && m.overridden);
    // The override goes to b's TSH slot for q1 only; a's slot keeps a's character.
    await expect.poll(() => tsh.shown(2, 1, 1), { timeout: 15_000 }).toBe(codename(OTHER));
    expect([tsh.shown(1, 1, 1), tsh.shown(2, 2, 1)]).toEqual([codename(RED), codename(BLUE)]);
    // a has no q1: the same override there is refused, naming a's regions.
    const refused = await post('a', { region: 'q1', label: OTHER });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/no region 'q1' \(regions: p1\)/);
    const a = (await (await fetch(`${srv.url}/api/state?setup=a`)).json()) as State;
    expect(a.overrides).toEqual({});
    expect(a.regions[0]).toMatchObject({ name: 'p1', label: RED, overridden: false });
    await clients.a!.next('prediction', undefined, 15_000, from);
    for (const m of clients.a!.messages.slice(from)) {
      if (m.type === 'label') expect(m).toMatchObject({ label: RED, overridden: false });
      if (m.type === 'prediction') for (const r of m.regions) expect(r).toMatchObject({ name: 'p1', label: RED, overridden: false });
      if (m.type === 'state') expect(m.state.overrides).toEqual({});
    }
    expect((await post('b', { region: 'q1', label: null })).status).toBe(200);
  });

  it('a region set in one setup stays out of the others', async () => {
    const res = await fetch(`${srv.url}/api/regions?setup=c`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ regions: [{ name: 'z9', x: 10, y: 10, w: 50, h: 40 }] }),
    });
    expect(res.status).toBe(200);
    await clients.c!.next('state', (m) => m.state.regions.some((r) => r.name === 'z9'));
    const [a, b] = await Promise.all(['a', 'b'].map(async (s) => (await (await fetch(`${srv.url}/api/state?setup=${s}`)).json()) as State));
    expect(a!.regions.map((r) => r.name)).toEqual(['p1']);
    expect(b!.regions.map((r) => r.name)).toEqual(['q1', 'q2']);
    for (const c of [clients.a!, clients.b!]) expect(JSON.stringify(c.messages)).not.toContain('z9');
  });

  it('/api/state lists setups, /api/players fills setup, /metrics labels every sample by setup', async () => {
    const first = (await (await fetch(`${srv.url}/api/state`)).json()) as State;
    expect(first.setup).toBe('a');
    expect(first.setups).toEqual(['a', 'b', 'c']);
    const missing = await fetch(`${srv.url}/api/state?setup=zz`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe("no setup 'zz' (setups: a, b, c)");

    const { players } = (await (await fetch(`${srv.url}/api/players`)).json()) as { players: { setup: string; region: string; character: string }[] };
    expect(players.map((p) => `${p.setup}/${p.region}`)).toEqual(['a/p1', 'b/q1', 'b/q2', 'c/z9']);
    expect(players.find((p) => p.setup === 'a')!.character).toBe(RED);
    expect(players.filter((p) => p.setup === 'b').map((p) => p.character)).toEqual([BLUE, BLUE]);
    const onlyB = (await (await fetch(`${srv.url}/api/players?setup=b`)).json()) as { players: { setup: string }[] };
    expect(onlyB.players.map((p) => p.setup)).toEqual(['b', 'b']);

    const text = await (await fetch(`${srv.url}/metrics`)).text();
    for (const s of ['a', 'b', 'c']) {
      const m = new RegExp(`^smashsight_frames_out_total\\{setup="${s}"\\} (\\d+)$`, 'm').exec(text);
      expect(Number(m?.[1])).toBeGreaterThan(0);
      expect(text).toMatch(new RegExp(`^smashsight_clients\\{setup="${s}"\\} 1$`, 'm'));
      expect(text).toMatch(new RegExp(`^smashsight_stage_seconds_bucket\\{setup="${s}",stage="infer",le="\\+Inf"\\} [1-9]`, 'm'));
    }
    expect(text.match(/^# TYPE smashsight_frames_out_total /gm)).toHaveLength(1);
    expect(text).not.toMatch(/^smashsight_frames_out_total \d/m);

    const health = (await (await fetch(`${srv.url}/health`)).json()) as { ok: boolean; setups: Record<string, { source: string }> };
    expect(health.ok).toBe(true);
    expect(Object.keys(health.setups)).toEqual(['a', 'b', 'c']);
  });

  it('a WebSocket for a setup that does not exist is refused with 404', async () => {
    await expect(connectClient(`${srv.wsUrl}?setup=zz`)).rejects.toThrow(/HTTP 404/);
  });

  it("the overlay's ?setup= shows that setup's label in headless Chromium; the operator page switches", async () => {
    const browser = await launchBrowser();
    const errors: string[] = [];
    try {
      const page = await openPage(browser, `${srv.url}/overlay?setup=b&region=q2`, errors);
      await expect.poll(() => page.locator('.card[data-region="q2"]').getAttribute('data-label'), { timeout: 15_000 }).toBe(BLUE);
      const other = await openPage(browser, `${srv.url}/overlay?setup=a`, errors);
      await expect.poll(() => other.locator('.card[data-region="p1"]').getAttribute('data-label'), { timeout: 15_000 }).toBe(RED);
      expect(await other.locator('.card').count()).toBe(1);
      // A setup the server has not: refused, so nothing shows (never the first setup's labels).
      const none = await openPage(browser, `${srv.url}/overlay?setup=zz`, errors);
      await expect.poll(() => none.locator('main').getAttribute('data-connection'), { timeout: 15_000 }).toBe('lost');
      expect(await none.locator('.card').count()).toBe(0);
      expect(await none.locator('[data-testid="param-errors"]').textContent()).toBe("setup=zz: no setup 'zz' (setups: a, b, c)");

      const op = await openPage(browser, `${srv.url}/operator?setup=a`, errors);
      const nav = op.locator('[data-testid="setups"] button');
      await expect.poll(() => nav.allTextContents(), { timeout: 15_000 }).toEqual(['a', 'b', 'c']);
      await expect.poll(() => op.locator('[data-testid="setups"] button[aria-pressed="true"]').textContent()).toBe('a');
      await op.locator('[data-testid="setups"] button', { hasText: 'b' }).click();
      await expect.poll(() => op.locator('[data-testid="setups"] button[aria-pressed="true"]').textContent(), { timeout: 15_000 }).toBe('b');
      expect(new URL(op.url()).searchParams.get('setup')).toBe('b');
      // The OBS URLs it offers are b's.
      await expect.poll(() => op.locator('.urls input').first().inputValue()).toContain('setup=b');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("the overlay's ?setup= parameter", () => {
  it('is passed on as given; a malformed name is reported and still asked for (the server refuses it)', () => {
    expect(parseOverlayParams('?setup=b')).toMatchObject({ setup: 'b', errors: [] });
    expect(parseOverlayParams('')).not.toHaveProperty('setup', expect.anything());
    expect(parseOverlayParams('?setup=a_b')).toMatchObject({ setup: 'a_b', errors: ["setup=a_b: expected letters, digits or '-'"] });
  });
});

describe('one setup, no --setup', () => {
  it('is the setup `default`: /ws?setup=default works, another name is 404', async () => {
    const srv = await startTestServer({ source: 'synthetic:2' });
    try {
      const state = await srv.state();
      expect(state.setup).toBe('default');
      expect(state.setups).toEqual(['default']);
      expect(state.previewUrl).toBe('/api/preview.jpg');
      const c = await connectClient(`${srv.wsUrl}?setup=default`);
      expect((await c.next('hello')).state.setup).toBe('default');
      await c.close();
      await expect(connectClient(`${srv.wsUrl}?setup=a`)).rejects.toThrow(/HTTP 404/);
      expect(srv.server.queue).toBeNull();
    } finally {
      await srv.stop();
    }
  }, 30_000);
});

function resolve(args: string[], config?: unknown): ServeConfig {
  const cmd = addServeOptions(new Command('serve').exitOverride());
  if (config !== undefined) {
    const file = path.join(tempDir(), 'smashsight.json');
    fs.writeFileSync(file, JSON.stringify(config));
    args = [...args, '--config', file];
  }
  cmd.parse(['--model', 'm', ...args], { from: 'user' });
  return resolveServeConfig(cmd.opts<ServeFlags>(), cmd);
}

/** The error a resolve throws, checked to be one line. */
function errorOf(args: string[], config?: unknown): string {
  try {
    resolve(args, config);
  } catch (err) {
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe("--setup and the config file's setups", () => {
  it("unprefixed regions are every setup's, a <setup>: prefix gives one to that setup; TSH maps and OBS texts by prefix", () => {
    const c = resolve([
      '--setup',
      'a=dolphin',
      '--setup',
      'b=synthetic:2',
      '--region',
      'p1=0,0,10,10',
      '--region',
      'b:p2=5,5,10,10',
      '--tsh',
      'http://127.0.0.1:5000',
      '--tsh-map',
      'a:p1=1.1.1,b:p1=2.1.1,b:p2=2.2.1',
      '--obs-text',
      'b:p2=P2 Character',
      '--hold-ms',
      '250',
    ]);
    expect(c.setups!.map((s) => [s.name, s.source, s.regions.map((r) => r.name)])).toEqual([
      ['a', 'dolphin', ['p1']],
      ['b', 'synthetic:2', ['p1', 'p2']],
    ]);
    expect(c.setups![1]!.tsh!.slots.map((s) => `${s.region}=${s.scoreboard}.${s.team}.${s.player}`)).toEqual(['p1=2.1.1', 'p2=2.2.1']);
    expect(c.setups![0]!.obsText).toEqual([]);
    expect(c.setups![1]!.obsText).toEqual([{ region: 'p2', input: 'P2 Character' }]);
    expect(c.setups!.every((s) => s.smoothing.holdMs === 250)).toBe(true);
    expect(c.source).toBe('dolphin');
  });

  it('reads setups from the config file, each with its own smoothing', () => {
    const c = resolve([], {
      setups: [
        { name: 'main', source: 'synthetic:1', regions: ['p1=0,0,8,8'], tshMap: { p1: '1.1.1' }, holdMs: 500 },
        { name: 'side', source: 'synthetic:2' },
      ],
      tsh: 'http://127.0.0.1:5000',
    });
    expect(c.setups!.map((s) => [s.name, s.smoothing.holdMs, s.regions.length, s.tsh?.slots.length ?? 0])).toEqual([
      ['main', 500, 1, 1],
      ['side', 300, 0, 0],
    ]);
  });

  it('without --setup the one setup is as before: no setups in the config', () => {
    expect(resolve(['--source', 'synthetic']).setups).toBeUndefined();
  });

  it('every mistake is one line naming the flag or field', () => {
    expect(errorOf(['--setup', 'a'])).toMatch(/^--setup a: expected <name>=<source spec>/);
    expect(errorOf(['--setup', 'a=dolphin', '--setup', 'a=synthetic'])).toMatch(/^--setup a=synthetic: setup 'a' is named twice/);
    expect(errorOf(['--setup', 'a b=dolphin'])).toMatch(/^--setup a b=dolphin: setup name "a b" must be/);
    expect(errorOf(['--setup', 'a=nope:x'])).toMatch(/^--setup a=nope:x: source 'nope:x'/);
    expect(errorOf(['--setup', 'a=dolphin', '--source', 'synthetic'])).toMatch(/^--source: not with --setup/);
    expect(errorOf(['--setup', 'a=dolphin', '--region', 'zz:p1=0,0,5,5'])).toMatch(/^--region zz:p1=0,0,5,5: no setup 'zz' \(setups: a\)/);
    expect(errorOf(['--source', 'synthetic', '--region', 'a:p1=0,0,5,5'])).toMatch(/^--region a:p1=0,0,5,5: no setup 'a' \(no --setup given\)/);
    expect(
      errorOf(['--setup', 'a=dolphin', '--setup', 'b=dolphin', '--region', 'p1=0,0,5,5', '--tsh', 'http://127.0.0.1:5000', '--tsh-map', 'p1=1.1.1']),
    ).toMatch(/^--tsh-map: 'p1' needs its setup with several setups \(e\.g\. a:p1=1\.1\.1\)/);
    expect(
      errorOf([
        '--setup',
        'a=dolphin',
        '--setup',
        'b=dolphin',
        '--region',
        'p1=0,0,5,5',
        '--tsh',
        'http://127.0.0.1:5000',
        '--tsh-map',
        'a:p1=1.1.1,b:p1=1.1.1',
      ]),
    ).toMatch(/^--tsh-map: b:p1 and a:p1 both go to 1\.1\.1/);
    expect(errorOf(['--setup', 'a=dolphin', '--tsh-map', 'a:frame=1.1.1'])).toMatch(/^--tsh-map: needs --tsh/);
    expect(errorOf(['--setup', 'a=dolphin', '--obs-text', 'p1=P1'])).toMatch(/^--obs-text: "p1=P1" must name one of the setups \(a\)/);
    expect(errorOf([], { setups: [{ name: 'a' }] })).toMatch(/smashsight\.json: "setups"\[0\]\.source: needs a source spec/);
    expect(errorOf([], { setups: [{ name: 'a', source: 'dolphin', fps: 3 }] })).toMatch(/"setups"\[0\]: unknown key "fps"/);
    expect(errorOf([], { setups: [{ name: 'a', source: 'dolphin', ema: 2 }] })).toMatch(/"setups"\[0\]\.smoothing: --ema must be in/);
    expect(errorOf([], { setups: [{ name: 'a', source: 'dolphin', regions: ['p1=1,2'] }] })).toMatch(/"setups"\[0\]\.regions: .*expected name=x,y,w,h/);
    expect(errorOf([], { setups: {} })).toMatch(/smashsight\.json: "setups": must be a list of setups/);
  });
});

describe('smashsight serve --setup, as a user runs it', () => {
  it('prints one overlay URL per setup and serves each setup with its own regions', async () => {
    const config = path.join(tempDir(), 'smashsight.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        setups: [
          { name: 'main', source: 'synthetic:1', regions: ['p1=0,0,320,240'], holdMs: 200 },
          { name: 'side', source: 'synthetic:2' },
        ],
      }),
    );
    const cli = await startCliServer(['serve', '--model', 'models/demo', '--port', '0', '--capture-fps', '10', '--config', config]);
    try {
      await expect.poll(() => cli.output().match(/^overlay: {2}http:\/\/\S+\/overlay\?setup=(main|side) /gm)?.length ?? 0).toBe(2);
      const state = async (s: string): Promise<State> => (await (await fetch(`${cli.url}/api/state?setup=${s}`)).json()) as State;
      const [main, side] = [await state('main'), await state('side')];
      expect(main).toMatchObject({ setup: 'main', setups: ['main', 'side'], smoothing: { holdMs: 200 }, source: { spec: 'synthetic:1' } });
      expect(main.regions.map((r) => r.name)).toEqual(['p1']);
      expect(side).toMatchObject({ setup: 'side', smoothing: { holdMs: 300 }, source: { spec: 'synthetic:2' } });
      expect(side.regions.map((r) => r.name)).toEqual(['frame']);
      await expect.poll(async () => (await state('side')).seq !== null && (await state('main')).seq !== null, { timeout: 30_000 }).toBe(true);
    } finally {
      cli.proc.kill('SIGTERM');
      await cli.exited;
    }
  }, 90_000);
});

describe('the engine queue in front of the one engine', () => {
  it('runs a lone request at once, the ones that came meanwhile as one batch, each getting its rows; a failed call fails only its own requests', async () => {
    const calls: number[][] = [];
    let fail = false;
    let release: () => void = () => {};
    const engine = {
      outputSize: 2,
      async run(data: Uint8Array, n: number): Promise<Float32Array> {
        if (data.length !== n) throw new Error(`${data.length} bytes for ${n} items`);
        calls.push([...data]);
        await new Promise<void>((r) => (release = r));
        if (fail) throw new Error('engine down');
        return Float32Array.from([...data].flatMap((v) => [v, -v]));
      },
    };
    const q = new EngineQueue(engine);
    const first = q.run(Uint8Array.from([1]), 1);
    const second = q.run(Uint8Array.from([2, 3]), 2);
    const third = q.run(Uint8Array.from([4]), 1);
    expect(calls).toEqual([[1]]);
    release();
    expect([...(await first)]).toEqual([1, -1]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2, 3, 4]]);
    fail = true;
    release();
    await expect(second).rejects.toThrow('engine down');
    await expect(third).rejects.toThrow('engine down');
    fail = false;
    const after = q.run(Uint8Array.from([5]), 1);
    release();
    expect([...(await after)]).toEqual([5, -5]);
    expect({ calls: q.calls, items: q.items }).toEqual({ calls: 3, items: 5 });
  });
});
