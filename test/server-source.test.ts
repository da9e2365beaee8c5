import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, startTestServer, tempDir, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('source restarts', () => {
  it('restarts the synthetic source after its ffmpeg is killed, telling clients', async () => {
    srv = await startTestServer({ source: 'synthetic:3', captureFps: 10 });
    const c = await connectClient(srv.wsUrl);
    await c.next('status', (s) => s.source.state === 'up');
    const first = await c.next('prediction');
    const pid = srv.server.source.stream?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const restarting = await c.next('status', (s) => s.source.state === 'restarting');
    expect(restarting.source).toMatchObject({ restarts: 1, retryInMs: 500 });
    expect(restarting.source.lastError).toBe('ffmpeg was killed by SIGKILL');
    await c.next('status', (s) => s.source.state === 'up');
    expect(srv.server.source.stream?.pid).not.toBe(pid);
    const after = await c.next('prediction');
    expect(after.capturedAt).toBeGreaterThan(first.capturedAt);
    expect(await (await fetch(`${srv.url}/metrics`)).text()).toMatch(/smashsight_source_restarts_total 1/);
    await c.close();
  });

  it('a file played once ends the run with a summary', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', file]);
    srv = await startTestServer({ source: `file:${file}` });
    const summary = await srv.server.ended;
    expect(summary.source.state).toBe('ended');
    expect(summary.source).toMatchObject({ width: 160, height: 120, restarts: 0 });
    expect(summary.framesIn).toBeGreaterThanOrEqual(9);
    expect(summary.framesOut + summary.dropped).toBe(summary.framesIn);
  });

  it('a file that cannot be read is reported down, not retried', async () => {
    srv = await startTestServer({ source: `file:${path.join(tempDir(), 'missing.mp4')}` });
    const summary = await srv.server.ended;
    expect(summary.source.state).toBe('down');
    expect(summary.source.lastError).toMatch(/frame size|No such file/);
  });
});
