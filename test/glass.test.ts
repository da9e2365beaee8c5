// Glass-to-glass from the game's own clock: the synthetic game stamps when it drew each frame, the
// stamp rides with the frame through ffmpeg and the pipeline, and a page's `painted` report then
// gives draw → paint beside capture → paint.
import { afterEach, describe, expect, it } from 'vitest';
import { openFrames, type Frame } from '../source/frames.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { connectClient, startTestServer, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

describe('draw → paint', () => {
  it('synthetic frames carry when the game drew them, before ffmpeg delivered them', async () => {
    const stream = openFrames(parseSourceSpec('synthetic:3'), { width: 64, height: 48, fps: 15 });
    const frames: Frame[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('frame', (f: Frame) => {
        frames.push(f);
        if (frames.length === 8) resolve();
      });
      stream.on('exit', (code: number | null, tail: string) => reject(new Error(`ffmpeg exited ${code}: ${tail}`)));
    });
    stream.stop();
    for (const f of frames) {
      expect(f.drawnAt).toBeTypeOf('number');
      expect(f.drawnAt!).toBeLessThanOrEqual(f.capturedAt);
      expect(f.capturedAt - f.drawnAt!).toBeLessThan(5000);
    }
    // one for one: consecutive frames were drawn one frame interval apart, give or take the timer
    const gaps = frames.slice(1).map((f, i) => f.drawnAt! - frames[i]!.drawnAt!);
    for (const g of gaps) expect(g).toBeGreaterThan(0);
  });

  it('a painted report gives both figures, draw → paint the larger', async () => {
    srv = await startTestServer({ source: 'synthetic:3', captureFps: 10 });
    const c = await connectClient(srv.wsUrl);
    const p = await c.next('prediction', undefined, 60_000);
    c.send({ type: 'painted', seq: p.seq, label: p.regions[0]!.label, paintedAt: p.capturedAt + 20 });
    await c.next('status', (s) => s.metrics.drawToPaintP50Ms !== null, 10_000);
    const m = (await srv.state()).metrics;
    expect(m.glassP50Ms).toBe(20);
    expect(m.drawToPaintP50Ms!).toBeGreaterThanOrEqual(20);
    expect(m.drawToPaintP50Ms!).toBeLessThan(20 + 5000);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toMatch(/^smashsight_draw_to_paint_seconds_count 1$/m);
    await c.close();
  });
});
