import { describe, expect, it } from 'vitest';
import type { Frame } from '../source/frames.ts';
import { prepareBatch, toFrameRect, workingSize } from '../server/prepare.ts';
import { Metrics } from '../server/metrics.ts';
import { now } from '../kit/clock.ts';
import { Pipeline } from '../server/pipeline.ts';
import { fakeEngine } from './helpers/server.ts';

const frame = (seq: number, w = 8, h = 8): Frame => ({ seq, capturedAt: now(), width: w, height: h, data: Buffer.alloc(w * h * 3, seq) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A pipeline around a fake engine that records each published frame's capture → publish latency. */
function pipeline(delayMs: number, fps?: number): { p: Pipeline<Frame>; metrics: Metrics; published: { seq: number; latency: number }[] } {
  const metrics = new Metrics();
  const published: { seq: number; latency: number }[] = [];
  const p = new Pipeline<Frame>(
    {
      prepare: { prepare: (f) => ({ data: f.data, n: 1, names: ['frame'] }) },
      engine: fakeEngine({ width: 8, height: 8, delayMs }),
      smooth: { smooth: (f) => f },
      publish: { publish: (f) => published.push({ seq: f.seq, latency: now() - f.capturedAt }) },
    },
    { metrics, fps },
  );
  return { p, metrics, published };
}

describe('newest frame wins', () => {
  it('a slow engine drops the frames that arrive while it is busy, never queues them', async () => {
    const { p, metrics, published } = pipeline(60);
    for (let i = 0; i < 30; i++) {
      p.push(frame(i));
      await sleep(10);
    }
    await p.idle();
    expect(published.length).toBeLessThan(15);
    expect(metrics.dropped).toBe(30 - published.length);
    // The engine always gets the newest frame: published seqs increase and the last one is published.
    expect(published.map((x) => x.seq)).toEqual([...published.map((x) => x.seq)].sort((a, b) => a - b));
    expect(published.at(-1)!.seq).toBe(29);
    // Latency stays bounded by about two engine runs, not by the number of frames behind.
    for (const x of published) expect(x.latency).toBeLessThan(1000); // queued, the last would wait ~1.8 s
    expect(metrics.framesIn).toBe(30);
    expect(metrics.framesOut).toBe(published.length);
  });

  it('--fps caps the inference rate', async () => {
    const { p, published } = pipeline(0, 10);
    const start = performance.now();
    while (performance.now() - start < 600) {
      p.push(frame(0));
      await sleep(5);
    }
    await p.idle();
    // 10/s for 0.6 s: the first run plus about 6 more, far fewer than the ~100 frames pushed.
    expect(published.length).toBeGreaterThanOrEqual(2);
    expect(published.length).toBeLessThanOrEqual(8);
  });

  it('a failing stage skips the frame and the pipeline goes on', async () => {
    const metrics = new Metrics();
    const errors: string[] = [];
    let calls = 0;
    const p = new Pipeline<number>(
      {
        prepare: {
          prepare: (f) => {
            if (calls++ === 0) throw new Error('boom');
            return { data: f.data, n: 1, names: ['frame'] };
          },
        },
        engine: fakeEngine({ width: 8, height: 8 }),
        smooth: { smooth: (f) => f.seq },
        publish: { publish: () => {} },
      },
      { metrics, onError: (e) => errors.push(e.message) },
    );
    p.push(frame(0));
    await p.idle();
    p.push(frame(1));
    await p.idle();
    expect(errors).toEqual(['boom']);
    expect(metrics.framesOut).toBe(1);
  });
});

describe('regions', () => {
  it('crops every region of a frame into one batch at the model size', async () => {
    const source = { width: 1280, height: 720 };
    const model = { width: 16, height: 16 };
    const work = workingSize(source, model, true);
    expect(work).toEqual({ width: 640, height: 360 });
    // Left half black, right half white: the crops must come from the right places.
    const data = Buffer.alloc(work.width * work.height * 3);
    for (let y = 0; y < work.height; y++) data.fill(255, (y * work.width + work.width / 2) * 3, (y + 1) * work.width * 3);
    const f: Frame = { seq: 1, capturedAt: 0, ...work, data };
    const batch = await prepareBatch(
      f,
      [
        { name: 'l', x: 0, y: 0, w: 400, h: 300 },
        { name: 'r', x: 800, y: 300, w: 400, h: 300 },
      ],
      source,
      model,
    );
    expect(batch.n).toBe(2);
    expect(batch.names).toEqual(['l', 'r']);
    expect(batch.data.length).toBe(2 * 16 * 16 * 3);
    const mean = (from: number, to: number): number => batch.data.subarray(from, to).reduce((a, b) => a + b, 0) / (to - from);
    expect(mean(0, 768)).toBeLessThan(5);
    expect(mean(768, 1536)).toBeGreaterThan(250);
  });

  it('whole frames at the model size go to the engine without a copy', async () => {
    const f = frame(3, 16, 16);
    const batch = await prepareBatch(f, [], { width: 640, height: 480 }, { width: 16, height: 16 });
    expect(batch.data).toBe(f.data);
  });

  it('maps and clamps source rectangles onto the working frame', () => {
    expect(toFrameRect({ x: 1200, y: 700, w: 200, h: 100 }, { width: 1280, height: 720 }, { width: 640, height: 360 })).toEqual({
      x: 600,
      y: 350,
      w: 40,
      h: 10,
    });
  });
});
