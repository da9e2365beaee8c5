// `serve --source obs:<name>` against the real OBS Studio (Debian's obs-studio 29) under Xvfb with
// Mesa's software GL: OBS plays a synthetic-game recording in a media source, the server takes
// screenshots of it over obs-websocket and the demo model names the character in it. Then OBS is
// killed (the source goes 'restarting' with a growing backoff and says OBS is not running) and
// started again (the same server gets frames again); a wrong password and a missing source are
// one-line errors.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { startCliServer, until, type CliServer } from './helpers/cli-server.ts';
import { OBSWebSocket } from 'obs-websocket-js';
import { OBS_BREAK_SCENE, OBS_MEDIA_SOURCE, OBS_SCENE, OBS_TEXT_SOURCE, startObs, writeObsConfig, type ObsSetup, type RunningObs } from './helpers/obs.ts';
import { startXvfb, stopProcess, type Xvfb } from './helpers/xvfb.ts';

const exec = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');

interface ApiState {
  regions: { label: string; confidence: number }[];
  source: { state: string; width: number | null; height: number | null; restarts: number; retryInMs: number | null; lastError: string | null };
  seq: number | null;
}

async function state(s: CliServer): Promise<ApiState> {
  return (await (await fetch(`${s.url}/api/state`)).json()) as ApiState;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once OBS's WebSocket port accepts connections (obs-websocket starts after the scenes load). */
async function waitForPort(port: number, obs: RunningObs, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (open) return;
    if (obs.proc.exitCode !== null || obs.proc.signalCode !== null)
      throw new Error(`OBS exited (${obs.proc.exitCode ?? obs.proc.signalCode}):\n${obs.log().slice(-3000)}`);
    if (Date.now() > end) throw new Error(`OBS's WebSocket port ${port} not open within ${timeoutMs} ms:\n${obs.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('obs: source against OBS Studio under Xvfb', () => {
  let tmp = '';
  let xvfb: Xvfb | undefined;
  let obs: RunningObs | undefined;
  let setup: ObsSetup;
  let label = '';
  const servers: CliServer[] = [];

  const launchObs = async (): Promise<number> => {
    const t0 = performance.now();
    obs = startObs(setup, xvfb!.display);
    await waitForPort(setup.port, obs);
    return performance.now() - t0;
  };

  /** The text OBS's text source holds now, asked over a connection of the test's own. */
  const obsText = async (): Promise<string> => {
    const c = new OBSWebSocket();
    try {
      await c.connect(`ws://127.0.0.1:${setup.port}`, setup.password);
      const { inputSettings } = await c.call('GetInputSettings', { inputName: OBS_TEXT_SOURCE });
      return String(inputSettings.text ?? '');
    } finally {
      await c.disconnect();
    }
  };

  const serve = async (password: string, source = OBS_MEDIA_SOURCE, extra: string[] = []): Promise<CliServer> => {
    const s = await startCliServer([
      'serve',
      '--model',
      path.join(REPO, 'models', 'demo'),
      '--source',
      `obs:${source}`,
      '--obs-url',
      `ws://127.0.0.1:${setup.port}`,
      '--obs-password',
      password,
      '--capture-fps',
      '5',
      '--port',
      '0',
      ...extra,
    ]);
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smashsight-obs-'));
    const recording = path.join(tmp, 'game.mp4');
    const timeline = path.join(tmp, 'timeline.jsonl');
    // One character for the whole recording (no switch within it), so every frame has one true label.
    await exec(process.execPath, [
      CLI,
      'synth',
      '--live',
      '--seed',
      '3',
      '--fps',
      '15',
      '--switch-seconds',
      '1000',
      '--seconds',
      '3',
      '--output',
      recording,
      '--timeline',
      timeline,
    ]);
    const labels = fs
      .readFileSync(timeline, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { label: string }).label);
    expect(new Set(labels).size).toBe(1);
    label = labels[0]!;
    setup = { home: path.join(tmp, 'home'), recording, port: await freePort(), password: 'obs-test-secret' };
    writeObsConfig(setup);
    xvfb = await startXvfb('1280x720x24');
    const ms = await launchObs();
    process.stderr.write(`obs-source.test: OBS's WebSocket port open ${(ms / 1000).toFixed(1)} s after start\n`);
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await stopProcess(s.proc);
    await obs?.stop();
    await xvfb?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('names the character OBS shows (and writes it into an OBS text source), restarts with backoff while OBS is gone, and comes back with it', async () => {
    const s = await serve(setup.password, OBS_MEDIA_SOURCE, ['--obs-text', `frame=${OBS_TEXT_SOURCE}`]);
    await until(
      async () => {
        const st = await state(s);
        return st.source.state === 'up' && st.regions[0]?.label === label;
      },
      `the demo model to name '${label}' from OBS's screenshots`,
      60_000,
    );
    const up = await state(s);
    expect([up.source.width, up.source.height]).toEqual([640, 480]);
    expect(up.regions[0]!.confidence).toBeGreaterThan(0.5);
    await until(async () => (await obsText()) === label, `OBS's text source to read '${label}'`, 10_000);

    await obs!.stop();
    const retries: number[] = [];
    let down: ApiState | undefined;
    await until(
      async () => {
        const st = await state(s);
        if (st.source.state === 'restarting' && st.source.retryInMs !== null && retries.at(-1) !== st.source.retryInMs) retries.push(st.source.retryInMs);
        down = st;
        return retries.length >= 3;
      },
      'three restarts with their backoff while OBS is gone',
      30_000,
    );
    // Backoff doubles from 0.5 s: every wait longer than the one before.
    for (let i = 1; i < retries.length; i++) expect(retries[i]!).toBeGreaterThan(retries[i - 1]!);
    expect(down!.source.lastError).toMatch(/^OBS at ws:\/\/127\.0\.0\.1:\d+ is not running/);
    const restartsBefore = down!.source.restarts;
    const seqBefore = down!.seq ?? -1;

    await launchObs();
    await until(
      async () => {
        const st = await state(s);
        return st.source.state === 'up' && (st.seq ?? -1) !== seqBefore && st.regions[0]?.label === label;
      },
      'frames again once OBS is back',
      60_000,
    );
    expect((await state(s)).source.restarts).toBeGreaterThanOrEqual(restartsBefore);
    await until(async () => (await obsText()) === label, 'the label written again into the restarted OBS', 15_000);
    expect(s.output()).toMatch(/source obs:Capture: OBS at ws:\/\/127\.0\.0\.1:\d+ is not running.*; restarting in \d+ ms/);
    await stopProcess(s.proc);
  }, 240_000);

  it('switches the program scene as a game ends and starts again (--obs-idle-scene, --obs-game-scene)', async () => {
    const programScene = async (): Promise<string> => {
      const c = new OBSWebSocket();
      try {
        await c.connect(`ws://127.0.0.1:${setup.port}`, setup.password);
        return (await c.call('GetCurrentProgramScene')).currentProgramSceneName;
      } finally {
        await c.disconnect();
      }
    };
    const override = (label: string | null): Promise<Response> =>
      fetch(`${s.url}/api/override`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ region: 'frame', label }) });
    const scenes = ['--obs-game-scene', OBS_SCENE, '--obs-idle-scene', OBS_BREAK_SCENE, '--obs-idle-seconds', '1'];
    const s = await serve(setup.password, OBS_MEDIA_SOURCE, scenes);
    await until(async () => (await state(s)).regions[0]?.label === label, `the demo model to name '${label}'`, 60_000);
    await until(async () => (await programScene()) === OBS_SCENE, 'the game scene while a character is shown', 10_000);
    // the game is over: nothing but unknown is shown (an operator's override stands in for the menus)
    expect((await override('unknown')).status).toBe(200);
    await until(async () => (await programScene()) === OBS_BREAK_SCENE, 'the break scene once no character is shown', 10_000);
    expect((await override(null)).status).toBe(200);
    await until(async () => (await programScene()) === OBS_SCENE, 'the game scene again with the next game', 10_000);
    await stopProcess(s.proc);
  }, 120_000);

  it('a wrong password is a one-line error that names --obs-password', async () => {
    const s = await serve('not-the-password');
    await until(async () => (await state(s)).source.lastError !== null, 'the refused login', 30_000);
    const st = await state(s);
    expect(st.source.state).toMatch(/restarting|down/);
    expect(st.source.lastError).toMatch(/refused the password: --obs-password is wrong/);
    expect(st.source.lastError).not.toContain('\n');
    expect(s.output()).toMatch(/refused the password: --obs-password is wrong/);
    await stopProcess(s.proc);
  }, 60_000);

  it('a source OBS does not have is named in the status', async () => {
    const s = await serve(setup.password, 'No Such Source');
    await until(async () => (await state(s)).source.lastError !== null, 'the failed screenshot', 30_000);
    expect((await state(s)).source.lastError).toMatch(/^OBS at ws:\/\/127\.0\.0\.1:\d+ has no source named 'No Such Source'$/);
    await stopProcess(s.proc);
  }, 60_000);
});
