// A live source that stops (issue 11 §3, §11): a udp:// stream whose sender goes quiet leaves
// ffmpeg waiting, not exiting; the frame watchdog calls it 'stalled', /health says so, the overlay
// fades, and it is reopened with backoff (doubling to the cap, never giving up, back to the first
// wait after a good frame). Real sender, real ffmpeg, real overlay page in Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceStatus } from '../server/protocol.ts';
import { launchBrowser, openPage } from './helpers/browser.ts';
import { connectClient, startTestServer, type TestServer } from './helpers/server.ts';
import { freeUdpPort } from '../kit/udp.ts';

let srv: TestServer | undefined;
let sender: ChildProcess | undefined;
afterEach(async () => {
  sender?.kill('SIGKILL');
  await srv?.stop();
  srv = sender = undefined;
});

function send(url: string): ChildProcess {
  return spawn(
    'ffmpeg',
    ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'mpegts', `${url}?pkt_size=1316`],
    {
      stdio: 'ignore',
    },
  );
}

async function health(s: TestServer): Promise<{ status: number; ok: boolean; source: string }> {
  const res = await fetch(`${s.url}/health`);
  const body = (await res.json()) as { ok: boolean; source: string };
  return { status: res.status, ...body };
}

describe('frame watchdog', () => {
  it('a stream that goes quiet is stalled, restarted with backoff forever, and recovers when it comes back', async () => {
    const url = `udp://127.0.0.1:${await freeUdpPort()}`;
    sender = send(url);
    // Probing little makes the first frame come within a second or two, so a reopen may watch briefly.
    const source = `ffmpeg:-fflags nobuffer -analyzeduration 500000 -f mpegts -i ${url}`;
    srv = await startTestServer({ source, stallSeconds: 1, firstFrameMs: 8000, backoff: { initialMs: 200, maxMs: 800 } });
    const c = await connectClient(srv.wsUrl);
    const browser = await launchBrowser();
    const errors: string[] = [];
    try {
      await c.next('status', (s) => s.source.state === 'up', 60_000);
      expect(await health(srv)).toMatchObject({ status: 200, ok: true, source: 'up' });
      const overlay = await openPage(browser, `${srv.url}/overlay?hideUnknown=0`, errors);
      const faded = () => overlay.locator('main').getAttribute('data-stale');
      await expect.poll(faded, { timeout: 20_000 }).toBe('0');

      sender.kill('SIGKILL');
      const stalled = await c.next('status', (s) => s.source.state === 'stalled', 30_000);
      expect(stalled.source).toMatchObject({ retryInMs: 200, lastError: 'no frame for 1.0 s' });
      expect(srv.server.source.stream).toBeUndefined(); // the waiting ffmpeg was ended
      expect(await health(srv)).toMatchObject({ status: 503, ok: false, source: 'stalled' });
      await expect.poll(faded, { timeout: 20_000 }).toBe('1');

      // Still nothing: each reopen stalls again, the wait doubles to the cap and stays there.
      const waits: number[] = [stalled.source.retryInMs!];
      let restarts = stalled.source.restarts;
      while (waits.length < 4) {
        const s: SourceStatus = (await c.next('status', (m) => m.source.state === 'stalled' && m.source.restarts > restarts, 30_000)).source;
        restarts = s.restarts;
        waits.push(s.retryInMs!);
      }
      expect(waits).toEqual([200, 400, 800, 800]);

      // The stream is back: up, healthy, shown; the next stall starts from the first wait again.
      sender = send(url);
      await c.next('status', (s) => s.source.state === 'up', 60_000);
      expect(await health(srv)).toMatchObject({ status: 200, ok: true });
      await expect.poll(faded, { timeout: 20_000 }).toBe('0');
      sender.kill('SIGKILL');
      const again = await c.next('status', (s) => s.source.state === 'stalled', 30_000);
      expect(again.source.retryInMs).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await c.close();
    }
  });

  it('an ffmpeg killed by a signal is reported by the signal name', async () => {
    srv = await startTestServer({ source: 'synthetic:3', captureFps: 10 });
    const c = await connectClient(srv.wsUrl);
    await c.next('status', (s) => s.source.state === 'up');
    process.kill(srv.server.source.stream!.pid!, 'SIGKILL');
    const restarting = await c.next('status', (s) => s.source.state === 'restarting');
    expect(restarting.source.lastError).toBe('ffmpeg was killed by SIGKILL');
    await c.close();
  });

  it('an ffmpeg that fails on start says why: its exit code and last stderr line', async () => {
    srv = await startTestServer({ source: 'ffmpeg:-f lavfi -i nosuchsource=size=64x48', backoff: { initialMs: 100, maxMs: 200 } });
    const c = await connectClient(srv.wsUrl);
    const restarting = await c.next('status', (s) => s.source.state === 'restarting');
    expect(restarting.source.lastError).toMatch(/nosuchsource/);
    await c.close();
  });
});
