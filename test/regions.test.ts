// Regions (issue 11 §8, §11): a region outside the source frame is refused by one rule, on the
// command line, in a config file and through the API; crops are cut at the right place in both x
// and y, through the real server (ffmpeg, prepare, engine), on a four-colour frame and on a real
// 640×480 synthetic frame at the README's HUD slots; the frame source crops before it scales.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine.ts';
import { SHARP_MODEL_RESIZE } from '../kit/resize.ts';
import { openFrames, type Frame } from '../source/frames.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { spawnSync } from 'node:child_process';
import { CLI } from './helpers/cli.ts';
import { connectClient, startTestServer, tempDir, type TestServer } from './helpers/server.ts';

/** The first frame of a stream, or its exit's reason as the error. */
function firstFrame(stream: ReturnType<typeof openFrames>): Promise<Frame> {
  return new Promise((resolve, reject) => {
    stream.once('frame', (f: Frame) => {
      stream.stop();
      resolve(f);
    });
    stream.once('exit', (_code, _tail, reason: string) => reject(new Error(`no frame: ${reason}`)));
  });
}

/** The CLI, killed after a minute: a server that does not refuse would run forever. */
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

const COLOURS = { red: [255, 0, 0], lime: [0, 255, 0], blue: [0, 0, 255], yellow: [255, 255, 0] } as const;
type Colour = keyof typeof COLOURS;
const NAMES = Object.keys(COLOURS) as Colour[];

/** A 320×240 PNG: red top-left, lime top-right, blue bottom-left, yellow bottom-right. */
async function fourColours(file: string): Promise<void> {
  const [w, h] = [320, 240];
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = COLOURS[NAMES[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)]!];
      data.set(c, (y * w + x) * 3);
    }
  await sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(file);
}

/** An engine that records what it is given and names the colour nearest each item's mean. */
function recordingEngine(size = 32): Engine & { batches: Buffer[] } {
  const batches: Buffer[] = [];
  return {
    name: 'recording',
    provider: 'test',
    threads: 1,
    width: size,
    height: size,
    outputSize: NAMES.length,
    batches,
    async run(frames: Uint8Array, n: number): Promise<Float32Array> {
      batches.push(Buffer.from(frames));
      const out = new Float32Array(n * NAMES.length);
      const px = size * size;
      for (let i = 0; i < n; i++) {
        const mean = [0, 1, 2].map((ch) => {
          let sum = 0;
          for (let p = 0; p < px; p++) sum += frames[(i * px + p) * 3 + ch]!;
          return sum / px;
        });
        const dist = NAMES.map((name) => COLOURS[name].reduce<number>((d, v, ch) => d + (v - mean[ch]!) ** 2, 0));
        out[i * NAMES.length + dist.indexOf(Math.min(...dist))] = 1;
      }
      return out;
    },
    async dispose(): Promise<void> {},
  };
}

describe('a region outside the frame: one rule', () => {
  const message = "region 'p1' (600,400,100,100) leaves the 640x480 source frame";

  it('serve --region refuses it (exit 1, naming the flag), as the API does', async () => {
    const r = cli(['serve', '--model', 'models/demo', '--source', 'synthetic', '--region', 'p1=600,400,100,100', '--port', '0', '--static', tempDir()]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`--region: ${message}`);

    const config = path.join(tempDir(), 'smashsight.json');
    fs.writeFileSync(config, JSON.stringify({ regions: [{ name: 'p1', x: 600, y: 400, w: 100, h: 100 }] }));
    const f = cli(['serve', '--model', 'models/demo', '--source', 'synthetic', '--config', config, '--port', '0', '--static', tempDir()]);
    expect(f.status).toBe(1);
    expect(f.stdout + f.stderr).toContain(`${config}: "regions": ${message}`);

    srv = await startTestServer({ source: 'synthetic:1' });
    const c = await connectClient(srv.wsUrl);
    await c.next('status', (s) => s.source.state === 'up');
    const res = await fetch(`${srv.url}/api/regions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ regions: [{ name: 'p1', x: 600, y: 400, w: 100, h: 100 }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(message);
    await c.close();
  });

  it('a region that fits runs as given', async () => {
    srv = await startTestServer({ source: 'synthetic:1', regions: [{ name: 'p1', x: 540, y: 380, w: 100, h: 100 }] });
    const c = await connectClient(srv.wsUrl);
    expect((await c.next('prediction')).regions.map((r) => r.name)).toEqual(['p1']);
    expect((await srv.state()).source.state).toBe('up');
    await c.close();
  });
});

describe('region crops through the real server', () => {
  it('each quadrant of a four-colour frame is classified as its own colour (x and y both count)', async () => {
    const file = path.join(tempDir(), 'four.png');
    await fourColours(file);
    const quadrants = [
      { name: 'tl', x: 20, y: 20, w: 100, h: 80 },
      { name: 'tr', x: 200, y: 20, w: 100, h: 80 },
      { name: 'bl', x: 20, y: 140, w: 100, h: 80 },
      { name: 'br', x: 200, y: 140, w: 100, h: 80 },
    ];
    srv = await startTestServer({ source: `file:${file}?loop`, captureFps: 10, regions: quadrants, readyEngine: recordingEngine(), labels: NAMES });
    const c = await connectClient(srv.wsUrl);
    const p = await c.next('prediction', (m) => m.regions.every((r) => r.label !== 'unknown'), 60_000);
    expect(Object.fromEntries(p.regions.map((r) => [r.name, r.label]))).toEqual({ tl: 'red', tr: 'lime', bl: 'blue', br: 'yellow' });
    await c.close();
  });

  it("the engine gets exactly the HUD slots of a 640×480 synthetic frame (README's p1 and p2)", async () => {
    // One real frame of the synthetic game, as a lossless file the server plays in a loop.
    const frame = await firstFrame(openFrames(parseSourceSpec('synthetic:4'), { width: 640, height: 480, fps: 10 }));
    const file = path.join(tempDir(), 'game.png');
    await sharp(frame.data, { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .toFile(file);
    const slots = [
      { name: 'p1', x: 13, y: 398, w: 134, h: 72 },
      { name: 'p2', x: 173, y: 398, w: 134, h: 72 },
    ];
    const engine = recordingEngine(48);
    srv = await startTestServer({ source: `file:${file}?loop`, captureFps: 10, regions: slots, readyEngine: engine, labels: NAMES });
    const c = await connectClient(srv.wsUrl);
    await c.next('prediction', (m) => m.regions.length === 2, 60_000);
    const crop = (r: { x: number; y: number; w: number; h: number }) =>
      sharp(frame.data, { raw: { width: 640, height: 480, channels: 3 } })
        .extract({ left: r.x, top: r.y, width: r.w, height: r.h })
        .resize(48, 48, SHARP_MODEL_RESIZE)
        .raw()
        .toBuffer();
    const expected = Buffer.concat(await Promise.all(slots.map(crop)));
    const got = engine.batches.at(-1)!;
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    // The check can tell: the same slots at y 0, or swapped in x, are other pixels.
    const atTop = Buffer.concat(await Promise.all(slots.map((s) => crop({ ...s, y: 0 }))));
    const swapped = Buffer.concat(await Promise.all([slots[1]!, slots[0]!].map(crop)));
    expect(got.equals(atTop)).toBe(false);
    expect(got.equals(swapped)).toBe(false);
    await c.close();
  });
});

describe('the frame source', () => {
  it('crops in source pixels before it scales: the bottom-right quadrant, scaled down, is all yellow', async () => {
    const file = path.join(tempDir(), 'four.png');
    await fourColours(file);
    const f = await firstFrame(openFrames(parseSourceSpec(`file:${file}`), { width: 16, height: 12, crop: { x: 160, y: 120, w: 160, h: 120 } }));
    const pixels = new Set<string>();
    for (let i = 0; i < f.data.length; i += 3) pixels.add([f.data[i]! >> 4, f.data[i + 1]! >> 4, f.data[i + 2]! >> 4].join(','));
    expect([...pixels]).toEqual(['15,15,0']); // yellow, to within rounding
  });
});
