import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegInfo } from '../source/ffmpeg.ts';
import { ffmpegInputFor } from '../source/input.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { runCapture, type CaptureOptions } from '../dataset/capture.ts';
import { parseFrameName } from '../dataset/naming.ts';
import { SESSIONS_FILE } from '../dataset/sessions.ts';
import { showWindow, startXvfb, stopProcess, waitForWindow, type Xvfb } from './helpers/xvfb.ts';

const repo = path.resolve(import.meta.dirname, '..');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
const quiet = (): void => {};
const label = { character: 'fox', color: 'red', stage: 'battlefield', orientation: 'left' };

function options(source: string, out: string, extra: Partial<CaptureOptions> = {}): CaptureOptions {
  return { source: parseSourceSpec(source), label, fps: 2, out, width: 64, height: 48, quality: 90, ...extra };
}

async function expectFrames(files: string[], numbers: number[]): Promise<void> {
  expect(files.map((f) => parseFrameName(f).number)).toEqual(numbers);
  for (const file of files) {
    expect(path.basename(file)).toMatch(/^fox_red_battlefield_left_bg_on_\d{3}\.jpg$/);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([64, 48]);
    const { channels } = await sharp(data, { raw: info }).stats();
    expect(channels.some((c) => c.stdev > 5)).toBe(true); // a picture, not a blank frame
  }
}

describe('capture from a video file', () => {
  it('writes correctly named frames, numbering on from the last one and never overwriting', async () => {
    const dir = tmp();
    const video = path.join(dir, 'clip.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2', '-c:v', 'mpeg4', video]);
    const out = path.join(dir, 'images');
    fs.mkdirSync(path.join(out, 'fox'), { recursive: true });
    const existing = path.join(out, 'fox', 'fox_red_battlefield_left_bg_on_007.jpg');
    fs.writeFileSync(existing, 'keep me');
    fs.writeFileSync(path.join(out, 'fox', 'fox_blue_battlefield_left_bg_on_050.jpg'), 'other label');

    const first = await runCapture(options(`file:${video}`, out, { frames: 3 }), quiet);
    await expectFrames(first, [8, 9, 10]);
    // the rest through the CLI: the whole file at 2 fps
    const run = spawnSync(
      process.execPath,
      [path.join(repo, 'bin', 'smashsight.js'), 'capture', '--source', `file:${video}`, '--label', 'fox_red_battlefield_left', '--out', out, '--size', '64x48'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const second = fs
      .readdirSync(path.join(out, 'fox'))
      .filter((f) => f.startsWith('fox_red') && parseFrameName(f).number > 10)
      .sort()
      .map((f) => path.join(out, 'fox', f));
    expect(second.length).toBeGreaterThanOrEqual(3);
    await expectFrames(
      second,
      second.map((_, i) => 11 + i),
    );
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');

    const sessions = fs
      .readFileSync(path.join(out, 'fox', SESSIONS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(sessions.map((s) => [s.label, s.from, s.to])).toEqual([
      ['fox_red_battlefield_left', 8, 10],
      ['fox_red_battlefield_left', 11, 10 + second.length],
    ]);
  });

  it('fails with the ffmpeg reason when the source is broken, and refuses a bad label', async () => {
    const out = path.join(tmp(), 'images');
    await expect(runCapture(options('file:/nonexistent/clip.mkv', out), quiet)).rejects.toThrow(/ffmpeg exit 1.*No such file/);
    const run = spawnSync(
      process.execPath,
      [path.join(repo, 'bin', 'smashsight.js'), 'capture', '--source', 'synthetic', '--label', 'fox_red_battlefield', '--out', out],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--label 'fox_red_battlefield': expected <character>_<color>_<stage>_<orientation>/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('capture checks its output and its label before recording', () => {
  const capture = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repo, 'bin', 'smashsight.js'), 'capture', '--source', 'synthetic', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('refuses an --out under a regular file at once, in one line, with no stack', () => {
    const dir = tmp();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'a file');
    const run = capture('--label', 'fox_red_battlefield_left', '--frames', '3', '--out', path.join(file, 'images'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`smashsight: --out ${path.join(file, 'images')}: ${file} is a file, not a folder`);
    expect(run.stdout).toBe(''); // refused before capturing: no progress, no summary
    const onFile = capture('--label', 'fox_red_battlefield_left', '--frames', '1', '--out', dir, '--size', '64x48');
    expect(onFile.status).toBe(0); // the folder holding the file is fine
  });

  it('writes an upper-case label in lower case (one class folder), and refuses the reserved class', () => {
    const out = path.join(tmp(), 'images');
    fs.mkdirSync(path.join(out, 'fox'), { recursive: true });
    fs.writeFileSync(path.join(out, 'fox', 'fox_red_battlefield_left_bg_on_001.jpg'), 'earlier');
    const run = capture('--label', 'Fox_Red_Battlefield_left', '--frames', '2', '--out', out, '--size', '64x48');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('--label Fox_Red_Battlefield_left: written as fox_red_battlefield_left');
    expect(fs.readdirSync(out)).toEqual(['fox']);
    expect(
      fs
        .readdirSync(path.join(out, 'fox'))
        .filter((f) => f.endsWith('.jpg'))
        .sort(),
    ).toEqual(['fox_red_battlefield_left_bg_on_001.jpg', 'fox_red_battlefield_left_bg_on_002.jpg', 'fox_red_battlefield_left_bg_on_003.jpg']);
    const reserved = capture('--label', 'Unknown_red_battlefield_left', '--frames', '1', '--out', out);
    expect(reserved.status).toBe(1);
    expect(reserved.stderr).toMatch(/'unknown' is reserved/);
  });
});

describe('capture from an X11 window under Xvfb', () => {
  let xvfb: Xvfb | undefined;
  let window: ChildProcess | undefined;
  const title = `smashsight-test-${process.pid}`;
  const savedDisplay = process.env.DISPLAY;

  beforeAll(async () => {
    xvfb = await startXvfb();
    window = showWindow(xvfb.display, title, repo, process.env.SS_WINDOW === 'testsrc' ? 'testsrc' : 'synth');
    await waitForWindow(xvfb.display, title);
    process.env.DISPLAY = xvfb.display;
  });

  afterAll(async () => {
    if (savedDisplay === undefined) delete process.env.DISPLAY;
    else process.env.DISPLAY = savedDisplay;
    await stopProcess(window, true);
    await xvfb?.stop();
  });

  it('finds the window by title and records its frames', async () => {
    const out = path.join(tmp(), 'images');
    const files = await runCapture(options(`window:${title}`, out, { frames: 3, fps: 5 }), quiet);
    await expectFrames(files, [1, 2, 3]);
  });

  it('grabs the window by id, or by its geometry where ffmpeg lacks -window_id', async () => {
    const info = await ffmpegInfo();
    const spec = parseSourceSpec(`window:${title}`);
    const byId = await ffmpegInputFor(spec, { fps: 5, info: { ...info, windowId: true }, platform: 'linux' });
    expect(byId.inputOptions).toContain('-window_id');
    const byGeometry = await ffmpegInputFor(spec, { fps: 5, info: { ...info, windowId: false }, platform: 'linux' });
    expect(byGeometry.input).toMatch(new RegExp(`^${xvfb!.display}\\+\\d+,\\d+$`));
    expect(byGeometry.inputOptions).toEqual(expect.arrayContaining(['-video_size', '320x240']));
  });

  it('names the visible windows when no Dolphin window exists', async () => {
    const out = path.join(tmp(), 'images');
    await expect(runCapture(options('dolphin', out, { frames: 1 }), quiet)).rejects.toThrow(new RegExp(`no Dolphin window.*"${title}"`));
  });
});
