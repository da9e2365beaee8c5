import { afterEach, describe, expect, it } from 'vitest';
import type { State } from '../server/protocol.ts';
import { connectClient, fakeFrames, startTestServer, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('slow clients', () => {
  it('a client that stops reading is skipped, others keep receiving; it resyncs once it reads, or is dropped', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 30 }), wsCaps: { softBytes: 64 * 1024, staleMs: 3000 } });
    const hub = srv.server.hub;
    const slow = await connectClient(srv.wsUrl);
    const fast = await connectClient(srv.wsUrl);
    await slow.next('prediction');
    await fast.next('prediction');
    slow.ws.pause();
    // Large messages until the socket buffers of the client that does not read are full.
    const big: State = { ...(await srv.state()), labels: Array.from({ length: 1000 }, () => 'x'.repeat(60)) };
    const flood = async (): Promise<void> => {
      for (let i = 0; i < 2000 && hub.stale === 0; i++) {
        hub.broadcast({ type: 'state', state: big });
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    };
    await flood();
    await until(() => hub.stale === 1, 'the paused client to be marked stale');

    // The reading client keeps getting fresh predictions, promptly.
    const from = fast.messages.length;
    for (let i = 0; i < 10; i++) {
      const p = await fast.next('prediction', undefined, 5000, i === 0 ? from : undefined);
      expect(Date.now() - p.publishedAt).toBeLessThan(1000);
    }
    expect(hub.stale).toBe(1);

    // Reading again: the backlog drains, then one full state, then live predictions again.
    slow.ws.resume();
    const resync = await slow.next('state', (m) => m.state.labels.length === 8);
    expect(resync.state.regions[0]!.name).toBe('frame');
    await slow.next('prediction');
    expect(hub.stale).toBe(0);

    // Stuck for good: disconnected after staleMs; the other client is unaffected.
    // (The kernel keeps taking bytes for a while, so keep it flooded until it is stuck for good.)
    slow.ws.pause();
    const feed = setInterval(() => void flood(), 50);
    try {
      await until(() => srv!.server.metrics.clientsDropped === 1, 'the stuck client to be dropped', 30_000);
    } finally {
      clearInterval(feed);
    }
    expect(hub.size).toBe(1);
    const last = await fast.next('prediction', undefined, 5000, fast.messages.length);
    expect(Date.now() - last.publishedAt).toBeLessThan(1000);
    await fast.close();
    await slow.close();
  });
});
