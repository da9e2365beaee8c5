// /metrics values (issue 11 §11): not only that the names exist, but that the numbers say what
// happened: frames in = out + dropped (+ the one in the engine), the clients gauge follows
// connections, the per-stage histograms are cumulative and count every classified frame, a
// painted report lands in the glass histogram, and the fps gauges agree with a slow engine.
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, fakeEngine, fakeFrames, startTestServer, type TestServer } from './helpers/server.ts';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

/** Prometheus text → sample name (with labels) → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(s: TestServer): Promise<Map<string, number>> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

describe('/metrics', () => {
  it('counts frames, drops, clients and stage latencies as they happened', async () => {
    // 20 frames/s into an engine that takes 200 ms: most frames are dropped, none queued.
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 20 }), readyEngine: fakeEngine({ delayMs: 200 }) });
    const a = await connectClient(srv.wsUrl);
    const b = await connectClient(srv.wsUrl);
    for (let i = 0; i < 10; i++) await a.next('prediction');
    const m = await scrape(srv);
    const v = (k: string): number => {
      expect(m.has(k), k).toBe(true);
      return m.get(k)!;
    };
    const [inTotal, out, dropped] = [v('smashsight_frames_in_total'), v('smashsight_frames_out_total'), v('smashsight_frames_dropped_total')];
    expect(out).toBeGreaterThanOrEqual(10);
    expect(dropped).toBeGreaterThan(0);
    // every frame is classified, dropped, or waiting/in the engine (at most one each)
    expect(inTotal - out - dropped).toBeGreaterThanOrEqual(0);
    expect(inTotal - out - dropped).toBeLessThanOrEqual(2);
    expect(v('smashsight_clients')).toBe(2);
    expect(v('smashsight_fps{direction="out"}')).toBeGreaterThan(0);
    expect(v('smashsight_fps{direction="out"}')).toBeLessThanOrEqual(v('smashsight_fps{direction="in"}'));

    for (const stage of ['wait', 'preprocess', 'infer', 'smooth', 'publish', 'total']) {
      const buckets = [...m].filter(([k]) => k.startsWith(`smashsight_stage_seconds_bucket{stage="${stage}",`)).map(([, n]) => n);
      expect(buckets.length).toBe(15);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
      expect(buckets.at(-1)).toBe(v(`smashsight_stage_seconds_count{stage="${stage}"}`));
      expect(v(`smashsight_stage_seconds_count{stage="${stage}"}`)).toBe(out); // one observation per classified frame
    }
    // the engine takes at least 200 ms a run: the infer histogram says so (a lower bound, not a speed)
    expect(v('smashsight_stage_seconds_sum{stage="infer"}') / out).toBeGreaterThanOrEqual(0.2);
    expect(v('smashsight_stage_seconds_bucket{stage="infer",le="0.15"}')).toBe(0);
    expect(v('smashsight_stage_seconds_sum{stage="total"}')).toBeGreaterThanOrEqual(v('smashsight_stage_seconds_sum{stage="infer"}'));

    await b.close();
    await expect.poll(async () => (await scrape(srv!)).get('smashsight_clients'), { timeout: 15_000 }).toBe(1);
    await a.close();
  });

  it('a painted report lands in the glass histogram', async () => {
    srv = await startTestServer({ openFrames: fakeFrames({ fps: 10 }) });
    const c = await connectClient(srv.wsUrl);
    const p = await c.next('prediction');
    expect((await scrape(srv)).get('smashsight_glass_seconds_count')).toBe(0);
    c.send({ type: 'painted', seq: p.seq, label: p.regions[0]!.label, paintedAt: p.capturedAt + 30 });
    await expect.poll(async () => (await scrape(srv!)).get('smashsight_glass_seconds_count'), { timeout: 15_000 }).toBe(1);
    const m = await scrape(srv);
    expect(m.get('smashsight_glass_seconds_sum')).toBeCloseTo(0.03, 6);
    expect(m.get('smashsight_glass_seconds_bucket{le="0.02"}')).toBe(0);
    expect(m.get('smashsight_glass_seconds_bucket{le="0.035"}')).toBe(1);
    await c.close();
  });
});
