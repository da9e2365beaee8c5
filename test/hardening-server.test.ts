// Requests from other sites (issue 11 §2): a page the streamer opens in any browser can send
// requests to the loopback server. Changes need JSON and the server's own origin, every request
// must name this server in Host (DNS rebinding), the socket refuses foreign origins, and a forged
// `painted` report cannot poison the glass latency. The server's own pages keep working, in
// Chromium, as they are loaded (127.0.0.1 and localhost).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import { launchBrowser, openPage } from './helpers/browser.ts';
import { connectClient, startTestServer, type TestServer } from './helpers/server.ts';

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request with exactly these headers (fetch will not send a chosen Host). */
function request(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Opens /ws with these headers; resolves with the HTTP status it was refused with, or 101. */
function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new NodeWebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

let srv: TestServer;
let origin: string;
const override = JSON.stringify({ region: 'frame', label: 'marth' });

beforeAll(async () => {
  srv = await startTestServer({ allowedHosts: ['overlay.example'] });
  origin = srv.url;
});
afterAll(() => srv.stop());

async function overridden(): Promise<boolean> {
  return (await srv.state()).regions[0]!.overridden;
}

async function clear(): Promise<void> {
  const r = await request(`${srv.url}/api/override`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ region: 'frame', label: null }),
  });
  expect(r.status).toBe(200);
}

describe('changes from other sites', () => {
  it.each([
    ['text/plain', 'text/plain;charset=UTF-8'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('refuses a POST sent as %s (what a page may send anywhere without asking): 415, nothing changes', async (_what, type) => {
    for (const path of ['/api/override', '/api/regions']) {
      const r = await request(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: override });
      expect(r.status).toBe(415);
      expect(JSON.parse(r.body).error).toMatch(/Content-Type must be application\/json/);
    }
    expect(await overridden()).toBe(false);
  });

  it('refuses a POST without Content-Type', async () => {
    const r = await request(`${srv.url}/api/override`, { method: 'POST', body: override });
    expect(r.status).toBe(415);
    expect(await overridden()).toBe(false);
  });

  it.each(['http://evil.example', 'null', 'http://127.0.0.1:1'])('refuses a JSON POST from Origin %s: 403, nothing changes', async (from) => {
    const r = await request(`${srv.url}/api/override`, { method: 'POST', headers: { 'content-type': 'application/json', origin: from }, body: override });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/Origin .* is not this server's/);
    expect(await overridden()).toBe(false);
  });

  it("takes JSON from the server's own origin, and from clients that are no browser (no Origin)", async () => {
    const own = await request(`${srv.url}/api/override`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', origin },
      body: override,
    });
    expect(own.status).toBe(200);
    expect(await overridden()).toBe(true);
    await clear();
    expect(await overridden()).toBe(false);
  });
});

describe('Host (DNS rebinding)', () => {
  it('refuses a request naming another host, even for reads: the preview is a picture of the screen', async () => {
    const port = new URL(srv.url).port;
    for (const path of ['/api/preview.jpg', '/api/state', '/overlay', '/metrics']) {
      const r = await request(`${srv.url}${path}`, { headers: { host: `rebind.evil.example:${port}` } });
      expect(r.status, path).toBe(403);
      expect(r.body).toMatch(/Host 'rebind\.evil\.example:\d+' is not a name this server answers to/);
    }
    const ws = await upgrade(`${srv.wsUrl}`, { host: `rebind.evil.example:${port}` });
    expect(ws.status).toBe(403);
  });

  it('answers addresses, localhost and names given with --allow-host', async () => {
    const port = new URL(srv.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `overlay.example:${port}`]) {
      const r = await request(`${srv.url}/api/state`, { headers: { host } });
      expect(r.status, host).toBe(200);
    }
  });
});

describe('/ws from other sites', () => {
  it.each(['http://evil.example', 'null'])('refuses the upgrade from Origin %s (403)', async (from) => {
    const r = await upgrade(srv.wsUrl, { origin: from });
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/not this server's/);
  });

  it('accepts its own origin and clients without one', async () => {
    expect((await upgrade(srv.wsUrl, { origin })).status).toBe(101);
    expect((await upgrade(srv.wsUrl, {})).status).toBe(101);
  });

  it('ignores implausible painted reports: glass latency stays what real paints say', async () => {
    const c = await connectClient(srv.wsUrl);
    const p = await c.next('prediction');
    c.send({ type: 'painted', seq: p.seq, label: 'x', paintedAt: 1e15 });
    c.send({ type: 'painted', seq: p.seq, label: 'x', paintedAt: p.capturedAt - 5000 });
    c.send({ type: 'ping', t: 1 });
    await c.next('pong');
    expect((await srv.state()).metrics.glassP50Ms).toBeNull();
    c.send({ type: 'painted', seq: p.seq, label: 'x', paintedAt: p.capturedAt + 20 });
    c.send({ type: 'ping', t: 2 });
    await c.next('pong');
    expect((await srv.state()).metrics.glassP50Ms).toBeCloseTo(20, 0);
    await c.close();
  });
});

describe('Authorization', () => {
  it('takes the Bearer scheme in any case', async () => {
    const s = await startTestServer({ token: 'T0k' });
    try {
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'BeArEr']) {
        const r = await request(`${s.url}/api/override`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `${scheme} T0k` },
          body: JSON.stringify({ region: 'frame', label: null }),
        });
        expect(r.status, scheme).toBe(200);
        expect((await upgrade(s.wsUrl, { authorization: `${scheme} T0k` })).status).toBe(101);
      }
      const wrong = await request(`${s.url}/api/override`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'bearer nope' },
        body: '{}',
      });
      expect(wrong.status).toBe(401);
      expect((await upgrade(s.wsUrl, { authorization: 'Basic T0k' })).status).toBe(401);
    } finally {
      await s.stop();
    }
  });
});

describe('in Chromium', () => {
  it("a page from another site can neither change the label nor read the socket; the server's own pages can, by either name", async () => {
    const browser = await launchBrowser();
    // The other site: a page on another port that tries what an attacker's page would.
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>evil</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    const errors: string[] = [];
    try {
      const page = await openPage(browser, `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`, errors);
      const tried = await page.evaluate(async (target: string) => {
        const body = JSON.stringify({ region: 'frame', label: 'marth' });
        // no-cors text/plain: the request goes out, the answer is opaque; only the server can refuse it
        await fetch(`${target}/api/override`, { method: 'POST', mode: 'no-cors', body }).catch(() => null);
        const json = await fetch(`${target}/api/override`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then((r) => `answered ${r.status}`)
          .catch(() => 'blocked');
        const ws = await new Promise<string>((resolve) => {
          const s = new WebSocket(`${target.replace('http', 'ws')}/ws`);
          s.onmessage = () => resolve('read a message');
          s.onclose = () => resolve('closed');
        });
        return { json, ws };
      }, srv.url);
      expect(tried).toEqual({ json: 'blocked', ws: 'closed' });
      expect(await overridden()).toBe(false);

      for (const base of [srv.url, srv.url.replace('127.0.0.1', 'localhost')]) {
        const operator = await openPage(browser, `${base}/operator`, errors);
        await expect.poll(() => operator.getByTestId('connection').textContent(), { timeout: 20_000 }).toBe('open');
        await operator.locator('[data-region-panel="frame"] [data-override="marth"]').click();
        await expect.poll(overridden, { timeout: 20_000 }).toBe(true);
        await operator.locator('[data-region-panel="frame"] [data-override-clear]').click();
        await expect.poll(overridden, { timeout: 20_000 }).toBe(false);
        const overlay = await openPage(browser, `${base}/overlay?hideUnknown=0`, errors);
        await overlay.locator('.card').first().waitFor({ timeout: 20_000 });
        await operator.close();
        await overlay.close();
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      evil.close();
    }
  });
});
