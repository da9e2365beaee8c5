// WebSocket limits (issue 11 §7): a client flooding the server is cut off without costing the
// others their predictions, answers to a client that does not read are not queued without bound,
// and a message too big to read closes the connection as PROTOCOL.md says.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_TOO_MANY } from '../server/publish.ts';
import { connectClient, fakeFrames, startTestServer, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const PING = JSON.stringify({ type: 'ping', t: 1 });

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));

describe('WebSocket limits', () => {
  it('a client flooding pings is closed (1008) after its allowance; another keeps its predictions', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 20 }) });
    const other = await connectClient(srv.wsUrl);
    const flooder = await open(srv.wsUrl);
    let pongs = 0;
    flooder.on('message', (d) => {
      if (String(d).includes('"pong"')) pongs++;
    });
    const end = closed(flooder);
    for (let i = 0; i < 5000; i++) flooder.send(PING);
    const { code, reason } = await end;
    expect(code).toBe(CLOSE_TOO_MANY);
    expect(reason).toMatch(/more than 100 messages a second/);
    expect(pongs).toBeLessThan(1000); // the burst allowance (200) and its refill, not the 5000 asked for
    expect(srv.server.metrics.clientsDropped).toBe(1);
    // the other client is still served: fresh predictions after the flood, and its pings answered
    const before = other.messages.length;
    await other.next('prediction', undefined, 15_000, before);
    other.send({ type: 'ping', t: 7 });
    expect((await other.next('pong', (p) => p.t === 7)).t).toBe(7);
    await other.close();
  });

  it('answers to a client that does not read stop at the soft cap: pongs are not queued without bound', async () => {
    // allowance high enough that only the buffer caps act; a hard cap the flood's answers would pass
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 5 }), wsCaps: { messagesPerSecond: 1e9, softBytes: 4096, hardBytes: 256 << 20 } });
    const ws = await open(srv.wsUrl);
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let pongs = 0;
    let prediction: { seq: number; capturedAt: number } | undefined;
    const stateAgain = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { type: string; seq: number; capturedAt: number };
        if (m.type === 'pong') pongs++;
        else if (m.type === 'prediction') prediction ??= m;
        else if (m.type === 'state') resolve(); // sent once a stale client drained
      }),
    );
    while (!prediction) await new Promise((r) => setTimeout(r, 50));
    socket.pause(); // stop reading: the server's answers pile up on its side
    const pings = 400_000;
    for (let i = 0; i < pings; i++) ws.send(PING);
    // A paint report after the pings: once the server shows its latency, it has read every ping.
    ws.send(JSON.stringify({ type: 'painted', seq: prediction.seq, label: 'x', paintedAt: prediction.capturedAt + 42 }));
    const s = srv;
    await expect.poll(async () => (await s.state()).metrics.glassP50Ms, { timeout: 120_000, interval: 200 }).toBeCloseTo(42, 0);
    socket.resume();
    await stateAgain;
    // Kernel socket buffers hold some answers whatever the server does; without the cap all 400k come.
    expect(pongs).toBeLessThan(pings / 2);
    ws.terminate();
  });

  it('a message over 64 KiB closes the connection with 1009; one over 4 KiB is answered too-large and the connection stays', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 5 }) });
    const c = await connectClient(srv.wsUrl);
    c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect((await c.next('error', (e) => e.code === 'too-large')).message).toMatch(/larger than 4096 bytes/);
    c.send({ type: 'ping', t: 3 });
    await c.next('pong', (p) => p.t === 3);
    const end = closed(c.ws);
    c.ws.send('x'.repeat(10 << 20));
    expect((await end).code).toBe(1009);
  });
});
