import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FrameCutter, openFrames, type Frame } from '../source/frames.ts';
import { parseSourceSpec } from '../source/spec.ts';

describe('FrameCutter', () => {
  it('cuts frames out of chunks of any size, in order, keeping the bytes', () => {
    const size = 12;
    const bytes = Buffer.from(Array.from({ length: size * 5 + 7 }, (_, i) => i % 256));
    const frames: Buffer[] = [];
    const seqs: number[] = [];
    const cutter = new FrameCutter(size, (data, seq) => {
      frames.push(Buffer.from(data));
      seqs.push(seq);
    });
    for (const [a, b] of [
      [0, 5],
      [5, 30],
      [30, 31],
      [31, 67],
    ])
      cutter.push(bytes.subarray(a, b));
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    frames.forEach((f, i) => expect(f.equals(bytes.subarray(i * size, (i + 1) * size))).toBe(true));
  });
});

describe('openFrames', () => {
  it('delivers numbered, stamped rgb24 frames at the asked size, then end and exit', async () => {
    const stream = openFrames(parseSourceSpec('ffmpeg:-f lavfi -i testsrc=size=160x120:rate=10:duration=1'), { width: 32, height: 24 });
    const frames: Frame[] = [];
    const events: string[] = [];
    stream.on('frame', (f: Frame) => frames.push(f));
    stream.on('end', () => events.push('end'));
    const [code] = (await once(stream, 'exit')) as [number | null, string];
    expect(code).toBe(0);
    expect(events).toEqual(['end']);
    expect(frames.length).toBe(10);
    expect(frames.map((f) => f.seq)).toEqual([...Array(10).keys()]);
    for (const f of frames) {
      expect([f.width, f.height, f.data.length]).toEqual([32, 24, 32 * 24 * 3]);
    }
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.capturedAt).toBeGreaterThanOrEqual(frames[i - 1]!.capturedAt);
    expect(Math.abs(frames[0]!.capturedAt - Date.now())).toBeLessThan(60_000);
    // testsrc moves: the frames are real pictures, not one repeated buffer
    expect(frames[0]!.data.equals(frames[9]!.data)).toBe(false);
  });

  it('crops before scaling and keeps the fps asked for', async () => {
    // left half of testsrc at 20 fps for 1 s, resampled to 5 fps
    const stream = openFrames(parseSourceSpec('ffmpeg:-f lavfi -i testsrc=size=160x120:rate=20:duration=1'), {
      width: 16,
      height: 24,
      fps: 5,
      crop: { x: 0, y: 0, w: 80, h: 120 },
    });
    const frames: Frame[] = [];
    stream.on('frame', (f: Frame) => frames.push(f));
    await once(stream, 'exit');
    expect(frames.length).toBe(5);
    expect(frames[0]!.data.length).toBe(16 * 24 * 3);
  });

  it("reports 'exit' with the reason when ffmpeg dies, and nothing after stop()", async () => {
    const live = openFrames(parseSourceSpec('ffmpeg:-re -f lavfi -i testsrc=size=64x48:rate=10'), { width: 16, height: 12 });
    await once(live, 'frame');
    expect(live.pid).toBeGreaterThan(0);
    process.kill(live.pid!, 'SIGKILL');
    const [code] = (await once(live, 'exit')) as [number | null, string];
    expect(code).toBeNull();

    const missing = openFrames(parseSourceSpec('file:/nonexistent/clip.mp4'), { width: 16, height: 12 });
    const [missingCode, tail] = (await once(missing, 'exit')) as [number | null, string];
    expect(missingCode).not.toBe(0);
    expect(tail).toMatch(/No such file/);

    const stopped = openFrames(parseSourceSpec('ffmpeg:-re -f lavfi -i testsrc=size=64x48:rate=10'), { width: 16, height: 12 });
    await once(stopped, 'frame');
    const after: string[] = [];
    stopped.on('exit', () => after.push('exit'));
    stopped.on('end', () => after.push('end'));
    const pid = stopped.pid!;
    stopped.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(after).toEqual([]);
    expect(() => process.kill(pid, 0)).toThrow(); // ffmpeg is gone
  });

  it('holds ffmpeg back while paused and delivers everything after resume', async () => {
    const stream = openFrames(parseSourceSpec('ffmpeg:-f lavfi -i testsrc=size=64x48:rate=50:duration=4'), { width: 32, height: 24 });
    let count = 0;
    stream.on('frame', () => count++);
    await once(stream, 'frame');
    stream.pause!();
    await new Promise((r) => setTimeout(r, 200));
    const held = count;
    await new Promise((r) => setTimeout(r, 300));
    expect(count).toBe(held);
    expect(count).toBeLessThan(200);
    stream.resume!();
    await once(stream, 'end');
    expect(count).toBe(200);
  });

  it('pipes the synthetic game through ffmpeg like a capture, with its true timeline', async () => {
    const stream = openFrames(parseSourceSpec('synthetic:5'), { width: 32, height: 24, fps: 10 });
    const frames: Frame[] = [];
    await new Promise<void>((resolve) => {
      stream.on('frame', (f: Frame) => {
        if (frames.push(f) === 3) resolve();
      });
    });
    expect(frames.map((f) => [f.seq, f.data.length])).toEqual([
      [0, 32 * 24 * 3],
      [1, 32 * 24 * 3],
      [2, 32 * 24 * 3],
    ]);
    expect(stream.generated?.timeline.length).toBeGreaterThan(0);
    const pid = stream.pid!;
    stream.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
