import { describe, expect, it } from 'vitest';
import type { Frame } from '../source/frames.ts';
import { prepareBatch, toFrameRect, workingSize } from '../server/prepare.ts';
import { Metrics } from '../server/metrics.ts';
import { now } from '../kit/clock.ts';
import { Pipeline } from '../server/pipeline.ts';
import type { Engine } from '../engine/engine.ts';
import { fakeEngine } from './helpers/server.ts';

const frame = (seq: number, w = 8, h = 8): Frame => ({ seq, capturedAt: now(), width: w, height: h, data: Buffer.alloc(w * h * 3, seq) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An engine whose runs end only when the test says so, telling when each starts and with which frame. */
function gatedEngine(): { engine: Pick<Engine, 'run'>; started(): Promise<{ seq: number; at: number }>; finish(): void } {
  const starts: { seq: number; at: number }[] = [];
  const waiting: ((s: { seq: number; at: number }) => void)[] = [];
  const open: (() => void)[] = [];
  return {
    engine: {
      run(frames: Uint8Array, n: number): Promise<Float32Array> {
        const s = { seq: frames[0]!, at: performance.now() };
        const w = waiting.shift();
        if (w) w(s);
        else starts.push(s);
        return new Promise((resolve) => open.push(() => resolve(new Float32Array(n))));
      },
    },
    started: () => new Promise((resolve) => (starts.length ? resolve(starts.shift()!) : waiting.push(resolve))),
    finish: () => open.shift()!(),
  };
}

function gatedPipeline(fps?: number) {
  const metrics = new Metrics();
  const gate = gatedEngine();
  const published: number[] = [];
  const p = new Pipeline<Frame>(
    {
      prepare: { prepare: (f) => ({ data: f.data, n: 1, names: ['frame'] }) },
      engine: gate.engine,
      smooth: { smooth: (f) => f },
      publish: { publish: (f) => published.push(f.seq) },
    },
    { metrics, fps },
  );
  return { p, metrics, gate, published };
}

describe('newest frame wins', () => {
  it('a slow engine drops the frames that arrive while it is busy, never queues them', async () => {
    const { p, metrics, gate, published } = gatedPipeline();
    p.push(frame(0));
    expect((await gate.started()).seq).toBe(0);
    // While the engine is busy, each new frame replaces the waiting one; the newest is run next.
    for (const [from, to] of [
      [1, 9],
      [10, 19],
      [20, 29],
    ] as const) {
      for (let i = from; i <= to; i++) p.push(frame(i));
      gate.finish();
      expect((await gate.started()).seq).toBe(to);
    }
    gate.finish();
    await p.idle();
    expect(published).toEqual([0, 9, 19, 29]);
    expect(metrics.framesIn).toBe(30);
    expect(metrics.framesOut).toBe(4);
    expect(metrics.dropped).toBe(26);
  });

  it('--fps caps the inference rate: runs start at least 1/fps apart, however fast frames come', async () => {
    const { p, gate } = gatedPipeline(10);
    const starts: number[] = [];
    let pushing = true;
    const feed = (async () => {
      for (let i = 0; pushing; i++) {
        p.push(frame(i % 200));
        await sleep(5);
      }
    })();
    while (starts.length < 6) {
      starts.push((await gate.started()).at);
      gate.finish(); // the engine itself is instant: only the cap spaces the runs
    }
    pushing = false;
    await feed;
    p.stop();
    // The cap counts from when the pipeline takes a frame, a moment (a microtask) before the engine sees it.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(99);
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
