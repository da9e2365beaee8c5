import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBind } from '../server/auth.ts';
import { resolveStatic } from '../server/static.ts';
import type { State } from '../server/protocol.ts';
import { connectClient, fakeEngine, fakeFrames, startTestServer, tempDir, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Raw HTTP GET, so paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let text = '';
    sock.on('data', (d) => (text += String(d)));
    sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0)));
    sock.on('error', reject);
  });
}

describe('override', () => {
  it('an override wins over the model until cleared, and clients see both changes', async () => {
    srv = await startTestServer({
      openFrames: fakeFrames({ fps: 20 }),
      readyEngine: fakeEngine({ probs: () => [0.9, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01] }),
    });
    const c = await connectClient(srv.wsUrl);
    await c.next('prediction', (p) => p.regions[0]!.label === 'fox');
    const set = await post(`${srv.url}/api/override`, { region: 'frame', label: 'marth' });
    expect(set.status).toBe(200);
    expect(((await set.json()) as State).regions[0]).toMatchObject({ label: 'marth', overridden: true, smoothed: 'fox' });
    expect(await c.next('label', (l) => l.label === 'marth')).toMatchObject({ region: 'frame', previous: 'fox', overridden: true });
    // Predictions keep coming with the override shown.
    expect((await c.next('prediction')).regions[0]).toMatchObject({ label: 'marth', overridden: true });
    await post(`${srv.url}/api/override`, { region: 'frame', label: null });
    expect(await c.next('label', (l) => l.previous === 'marth')).toMatchObject({ label: 'fox', overridden: false });
    expect((await srv.state()).overrides).toEqual({});
    await c.close();
  });

  it('rejects unknown regions and labels, bad JSON and oversized bodies', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 5 }) });
    const unknownRegion = await post(`${srv.url}/api/override`, { region: 'p9', label: 'fox' });
    expect(unknownRegion.status).toBe(400);
    expect(((await unknownRegion.json()) as { error: string }).error).toMatch(/no region 'p9'/);
    expect((await post(`${srv.url}/api/override`, { region: 'frame', label: 'mario' })).status).toBe(400);
    expect((await post(`${srv.url}/api/override`, '{oops')).status).toBe(400);
    expect((await post(`${srv.url}/api/regions`, { regions: [], pad: 'x'.repeat(20_000) })).status).toBe(413);
    expect((await fetch(`${srv.url}/api/nothing`)).status).toBe(404);
  });
});

describe('regions', () => {
  it('regions change at runtime: one engine batch per frame with every region, state pushed', async () => {
    const engine = fakeEngine();
    const frames = fakeFrames({ fps: 20 });
    srv = await startTestServer({ openFrames: frames, readyEngine: engine, regions: [{ name: 'p1', x: 0, y: 400, w: 100, h: 80 }] });
    const c = await connectClient(srv.wsUrl);
    expect((await c.next('hello')).state.regions.map((r) => r.name)).toEqual(['p1']);
    const res = await post(`${srv.url}/api/regions`, {
      regions: [
        { name: 'p1', x: 0, y: 400, w: 100, h: 80 },
        { name: 'p2', x: 500, y: 400, w: 100, h: 80 },
      ],
    });
    expect(res.status).toBe(200);
    expect((await c.next('state')).state.regions.map((r) => r.rect?.x)).toEqual([0, 500]);
    const p = await c.next('prediction', (m) => m.regions.length === 2);
    expect(p.regions.map((r) => r.name)).toEqual(['p1', 'p2']);
    expect(engine.batches).toContain(2);
    expect(frames.opened).toBe(1); // crops change in Node: the source was not reopened

    // Back to the whole frame: ffmpeg must deliver the model's size again, so the source reopens.
    await post(`${srv.url}/api/regions`, { regions: [] });
    await c.next('prediction', (m) => m.regions[0]?.name === 'frame');
    expect(frames.opened).toBe(2);

    const outside = await post(`${srv.url}/api/regions`, { regions: [{ name: 'p1', x: 600, y: 0, w: 100, h: 10 }] });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: string }).error).toMatch(/leaves the 640x480 source frame/);
    expect((await post(`${srv.url}/api/regions`, { regions: [{ name: 'a b', x: 0, y: 0, w: 1, h: 1 }] })).status).toBe(400);
    await c.close();
  });

  it('serves a JPEG preview of the latest frame', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 20 }) });
    const c = await connectClient(srv.wsUrl);
    await c.next('prediction');
    const res = await fetch(`${srv.url}/api/preview.jpg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/smashsight_frames_out_total [1-9]/);
    expect(metrics).toMatch(/smashsight_stage_seconds_bucket\{stage="infer",le="\+Inf"\} [1-9]/);
    expect(((await (await fetch(`${srv.url}/health`)).json()) as { ok: boolean }).ok).toBe(true);
    await c.close();
  });
});

describe('token and bind rules', () => {
  it('refuses a non-loopback bind without a token and warns with one', () => {
    expect(checkBind('127.0.0.1', undefined)).toBeNull();
    expect(checkBind('localhost', undefined)).toBeNull();
    expect(() => checkBind('0.0.0.0', undefined)).toThrow(/--token/);
    expect(checkBind('0.0.0.0', 's3cret')).toMatch(/warning/);
  });

  it('with a token, mutations and the WebSocket need it; reads do not', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 5 }), token: 's3cret' });
    const body = { region: 'frame', label: 'fox' };
    expect((await post(`${srv.url}/api/override`, body)).status).toBe(401);
    expect((await post(`${srv.url}/api/override`, body, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`${srv.url}/api/override`, body, { Authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await post(`${srv.url}/api/override?token=s3cret`, { region: 'frame', label: null })).status).toBe(200);
    expect((await fetch(`${srv.url}/api/state`)).status).toBe(200);
    await expect(connectClient(srv.wsUrl)).rejects.toThrow(/401/);
    await expect(connectClient(srv.wsUrl, 'wrong')).rejects.toThrow(/401/);
    const c = await connectClient(srv.wsUrl, 's3cret');
    await c.next('hello');
    await c.close();
  });
});

describe('static files', () => {
  it('serves the pages and nothing outside their folder', async () => {
    const root = tempDir();
    const pages = path.join(root, 'overlay');
    fs.mkdirSync(path.join(pages, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(pages, 'overlay.html'), '<p>overlay</p>');
    fs.writeFileSync(path.join(pages, 'index.html'), '<p>operator</p>');
    fs.writeFileSync(path.join(pages, 'assets', 'a.js'), 'x');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(root, 'secret.txt'), path.join(pages, 'link.txt'));
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 5 }), staticRoot: pages });
    expect(await (await fetch(`${srv.url}/overlay`)).text()).toBe('<p>overlay</p>');
    expect(await (await fetch(`${srv.url}/operator`)).text()).toBe('<p>operator</p>');
    expect(await (await fetch(`${srv.url}/`)).text()).toBe('<p>operator</p>');
    const js = await fetch(`${srv.url}/assets/a.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%252e%252e/secret.txt',
      '/..%5csecret.txt',
      '/%00overlay.html',
      '//etc/passwd',
      '/link.txt',
      `/${root}/secret.txt`,
      '/%zz',
    ];
    for (const a of attempts) expect(await rawGet(srv.server.port, a), a).toBe(404);
    for (const a of ['/../secret.txt', '/%2e%2e/secret.txt', '/a/%00', '/..\\secret.txt']) expect(resolveStatic(pages, a), a).toBeNull();
  });
});
