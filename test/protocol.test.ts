import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, fakeFrames, startTestServer, type TestServer } from './helpers/server.ts';
import { parseClientMessage, parseRegionArg, PROTOCOL_VERSION, validateRegions } from '../server/protocol.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('protocol validators', () => {
  it('accepts ping and painted, rejects the rest with a reason', () => {
    expect(parseClientMessage('{"type":"ping","t":3}')).toEqual({ ok: true, value: { type: 'ping', t: 3 } });
    expect(parseClientMessage('{"type":"painted","seq":4,"label":"fox","paintedAt":12.5}').ok).toBe(true);
    expect(parseClientMessage('nope')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    expect(parseClientMessage('{"type":"painted","seq":-1,"label":"fox","paintedAt":1}')).toMatchObject({ ok: false, error: expect.stringMatching(/seq/) });
    expect(parseClientMessage('[1]')).toMatchObject({ ok: false });
  });

  it('parses --region flags and rejects duplicates, bad names and empty rectangles', () => {
    expect(parseRegionArg('p1=10,20,30,40')).toEqual({ ok: true, value: { name: 'p1', x: 10, y: 20, w: 30, h: 40 } });
    expect(parseRegionArg('p1=10,20,0,40').ok).toBe(false);
    expect(parseRegionArg('frame=0,0,1,1').ok).toBe(false);
    expect(
      validateRegions([
        { name: 'a', x: 0, y: 0, w: 1, h: 1 },
        { name: 'a', x: 0, y: 0, w: 1, h: 1 },
      ]),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/twice/) });
    expect(validateRegions([{ name: '../x', x: 0, y: 0, w: 1, h: 1 }]).ok).toBe(false);
  });
});

describe('WebSocket protocol', () => {
  it('sends hello with the full state, then predictions, labels and status', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 30 }) });
    const c = await connectClient(srv.wsUrl);
    const hello = await c.next('hello');
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect(hello.state.labels).toHaveLength(8);
    expect(hello.state.regions.map((r) => r.name)).toEqual(['frame']);
    expect(hello.state.source.spec).toBe('synthetic:1');

    const p = await c.next('prediction');
    expect(p.regions[0]!.top).toHaveLength(3);
    expect(p.regions[0]!.top[0]!.p).toBeGreaterThan(p.regions[0]!.top[1]!.p);
    expect(p.publishedAt).toBeGreaterThanOrEqual(p.capturedAt);
    const label = await c.next('label');
    expect(label).toMatchObject({ region: 'frame', previous: 'unknown', overridden: false });
    const status = await c.next('status', (s) => s.source.state === 'up');
    expect(status.metrics.fpsOut).toBeGreaterThan(0);

    // A client connecting later gets the current label at once.
    const late = await connectClient(srv.wsUrl);
    const h2 = await late.next('hello');
    expect(h2.state.regions[0]!.label).not.toBe('unknown');
    await late.close();
    await c.close();
  });

  it('answers malformed input with an error and keeps the connection', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 10 }) });
    const c = await connectClient(srv.wsUrl);
    await c.next('hello');
    c.send('{not json');
    expect((await c.next('error')).code).toBe('bad-json');
    c.send({ type: 'hi' });
    expect((await c.next('error', (e) => e.code === 'bad-message')).message).toMatch(/unknown message type/);
    c.send('x'.repeat(5000));
    expect((await c.next('error', (e) => e.code === 'too-large')).message).toMatch(/larger/);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.next('error', (e) => /binary/.test(e.message));
    c.send({ type: 'ping', t: 42 });
    expect((await c.next('pong')).t).toBe(42);
    // painted reports feed the glass-to-glass figure
    const p = await c.next('prediction');
    c.send({ type: 'painted', seq: p.seq, label: p.regions[0]!.label, paintedAt: p.capturedAt + 20 });
    await c.next('status', (s) => s.metrics.glassP50Ms !== null);
    expect((await srv.state()).metrics.glassP50Ms).toBe(20);
    await c.close();
  });
});
