// Issue 10 §4: `vod` on a synthetic-game recording with the demo model. The recording's own switch
// list is the truth: chapters must start within ±1 s of each switch, name its character, and the
// JSON, CSV and chapter file must say the same thing; an interrupted run leaves a valid partial.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordGame, type Recording } from '../game/recording.ts';
import { chaptersOf, chapterTime, formatCsv, mergeShort, type Segment, type Timeline } from '../server/vod-output.ts';
import { CLI, cli, type CliResult } from './helpers/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-vod-'));
const video = path.join(dir, 'game.mp4');
/** 9 games of 4 s at 10 frames/s, 640x480: a few seconds to render and to analyse. */
const SWITCH_SECONDS = 4;
let rec: Recording;

beforeAll(async () => {
  rec = await recordGame({ path: video, seed: 3, fps: 10, seconds: 36, switchSeconds: SWITCH_SECONDS });
});

/** The CLI without blocking the test process, so several runs can share the cores' idle time. */
function cliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

interface Outputs {
  json: Timeline;
  csv: string[][];
  chapters: string[];
}

function readOutputs(base: string): Outputs {
  return {
    json: JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as Timeline,
    csv: fs
      .readFileSync(`${base}.csv`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(',')),
    chapters: fs.readFileSync(`${base}.chapters.txt`, 'utf8').trimEnd().split('\n').filter(Boolean),
  };
}

const seconds = (line: string): number => {
  const [h, m, s] = line.slice(0, 8).split(':').map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};

/** The three files agree: CSV rows are the JSON segments, chapter lines the JSON chapters; each region's segments tile [0, seconds]. */
function expectConsistent(o: Outputs): void {
  expect(o.csv[0]).toEqual(['region', 'label', 'start', 'end', 'confidence']);
  expect(o.csv.slice(1)).toEqual(o.json.segments.map((s) => [s.region, s.label, String(s.start), String(s.end), String(s.confidence)]));
  expect(o.chapters).toEqual(o.json.chapters.map((c) => c.line));
  for (const c of o.json.chapters) expect(c.line).toBe(`${chapterTime(c.start)} ${c.title}`);
  if (o.json.chapters.length > 0) expect(o.chapters[0]!.startsWith('00:00:00 ')).toBe(true);
  for (const region of o.json.regions) {
    const segs = o.json.segments.filter((s) => s.region === region);
    expect(segs[0]?.start).toBe(0);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.start).toBe(segs[i - 1]!.end);
    expect(segs.at(-1)?.end).toBe(o.json.seconds);
  }
}

describe('vod output (pure)', () => {
  const span = (label: string, start: number, end: number) => ({ label, start, end, frames: Math.round(end - start), confidenceSum: end - start });

  it('merges short spans into the next one, shortest first, fusing equal neighbours', () => {
    const merged = mergeShort([span('a', 0, 20), span('b', 20, 21), span('a', 21, 40), span('x', 40, 42), span('c', 42, 60), span('d', 60, 61)], 5);
    expect(merged.map((s) => [s.label, s.start, s.end])).toEqual([
      ['a', 0, 40],
      ['c', 40, 61],
    ]);
    // the fused a keeps only its own frames for its mean confidence
    expect(merged[0]!.frames).toBe(39);
    expect(mergeShort([span('a', 0, 3)], 10)).toHaveLength(1);
  });

  it('titles chapters with every region joined by " vs ", at every change of any region', () => {
    const seg = (region: string, label: string, start: number, end: number): Segment => ({ region, label, start, end, confidence: 1 });
    const segments = [seg('p1', 'fox', 0, 30), seg('p1', 'marth', 30, 90), seg('p2', 'puff', 0, 60), seg('p2', 'sheik', 60, 90)];
    expect(chaptersOf(segments, ['p1', 'p2'], 10).map((c) => c.line)).toEqual(['00:00:00 fox vs puff', '00:00:30 marth vs puff', '00:01:00 marth vs sheik']);
    // p2 changing 2 s after p1 leaves a 2 s chapter: merged into the next
    const staggered = [seg('p1', 'fox', 0, 30), seg('p1', 'marth', 30, 90), seg('p2', 'puff', 0, 32), seg('p2', 'sheik', 32, 90)];
    expect(chaptersOf(staggered, ['p1', 'p2'], 10).map((c) => c.line)).toEqual(['00:00:00 fox vs puff', '00:00:30 marth vs sheik']);
    expect(chapterTime(3 * 3600 + 25 * 60 + 7.9)).toBe('03:25:07');
  });

  it('quotes CSV fields that need it', () => {
    expect(formatCsv([{ region: 'p1', label: 'a,"b"', start: 0, end: 1.5, confidence: 0.5 }])).toBe(
      'region,label,start,end,confidence\np1,"a,""b""",0,1.5,0.5\n',
    );
  });
});

describe('smashsight vod', () => {
  it('chapters start within ±1 s of every switch of the recording, with its characters; JSON, CSV and chapters agree', () => {
    const base = path.join(dir, 'whole');
    const r = cli(['vod', video, '--model', 'models/demo', '--min-segment', '2', '--out', base]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vod frames: \d+ in [\d.]+s \([\d.]+\/s\)/);
    const o = readOutputs(base);
    expectConsistent(o);
    expect(o.json.complete).toBe(true);
    expect(o.json.regions).toEqual(['frame']);
    expect(o.json.seconds).toBeCloseTo(36, 1);
    expect(rec.switches).toHaveLength(9);
    const report = `chapters ${o.chapters.join(' | ')}; truth ${rec.switches.map((s) => `${s.seconds} ${s.label}`).join(' | ')}`;
    expect(
      o.json.chapters.map((c) => c.title),
      report,
    ).toEqual(rec.switches.map((s) => s.label));
    o.json.chapters.forEach((c, i) => {
      expect(Math.abs(c.start - rec.switches[i]!.seconds), report).toBeLessThanOrEqual(1);
      expect(Math.abs(seconds(c.line) - rec.switches[i]!.seconds), report).toBeLessThanOrEqual(1);
    });
    expect(r.stdout).toContain(o.chapters.join('\n'));
  });

  it('joins regions with " vs " and merges segments shorter than --min-segment', () => {
    // The demo model reads the whole frame (it learned the HUD icon in place), so both regions cover it.
    const base = path.join(dir, 'two');
    const r = cli([
      'vod',
      video,
      '--model',
      'models/demo',
      '--region',
      'p1=0,0,640,480',
      '--region',
      'p2=0,0,640,480',
      '--fps',
      '5',
      '--min-segment',
      '6',
      '--out',
      base,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const o = readOutputs(base);
    expectConsistent(o);
    expect(o.json.regions).toEqual(['p1', 'p2']);
    const truth = new Set(rec.switches.map((s) => s.label));
    for (const c of o.json.chapters) {
      const [a, b] = c.title.split(' vs ');
      expect(truth.has(a!) && truth.has(b!), c.line).toBe(true);
    }
    // 4 s games under a 6 s minimum: every segment is merged into a longer one, and what stays
    // are real switches (merging removes boundaries, never invents one)
    const p1 = o.json.segments.filter((s) => s.region === 'p1');
    expect(p1.length).toBeGreaterThan(1);
    expect(p1.length).toBeLessThan(rec.switches.length);
    for (const s of p1) expect(s.end - s.start).toBeGreaterThanOrEqual(6);
    for (const s of p1.slice(1)) expect(Math.min(...rec.switches.map((w) => Math.abs(w.seconds - s.start)))).toBeLessThanOrEqual(1);
    for (const c of o.json.chapters.slice(0, -1)) expect(c.start).not.toBe(o.json.chapters.at(-1)!.start);
  });

  it('Ctrl-C mid-way leaves a valid partial timeline and exits non-zero', async () => {
    const base = path.join(dir, 'partial');
    // 120 frames/s of video (each frame 12 times): enough work that the run is still going when its first progress line comes
    const child = spawn(process.execPath, [CLI, 'vod', video, '--model', 'models/demo', '--fps', '120', '--threads', '1', '--min-segment', '2', '--out', base]);
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      if (!signalled && /vod frames: [1-9]\d*\/\d+/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(signalled, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted at [\d.]+ s of video: partial timeline/);
    const o = readOutputs(base);
    expectConsistent(o);
    expect(o.json.complete).toBe(false);
    expect(o.json.seconds).toBeGreaterThan(0);
    expect(o.json.seconds).toBeLessThan(36);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('bad input: one line naming the file or the flag', async () => {
    const nope = path.join(dir, 'nope.mp4');
    const notVideo = path.join(dir, 'notes.txt');
    fs.writeFileSync(notVideo, 'not a video\n');
    const [missing, fps, off, text, out] = await Promise.all([
      cliAsync(['vod', nope, '--model', 'models/demo']),
      cliAsync(['vod', video, '--model', 'models/demo', '--fps', 'fast']),
      cliAsync(['vod', video, '--model', 'models/demo', '--region', 'p1=600,400,100,100', '--out', path.join(dir, 'off')]),
      cliAsync(['vod', notVideo, '--model', 'models/demo']),
      cliAsync(['vod', video, '--model', 'models/demo', '--out', path.join(dir, 'no-such-folder', 'x')]),
    ]);
    expect([missing.status, missing.stderr.trim()]).toEqual([1, `smashsight: ${nope}: no such file`]);
    expect(fps.status).not.toBe(0);
    expect(fps.stderr).toContain('--fps: must be a number from 0.1 to 240, got "fast"');
    expect(off.status).toBe(1);
    expect(off.stderr.trim().split('\n').at(-1)).toMatch(/^smashsight: --region: region 'p1' .* leaves the 640x480 source frame$/);
    expect([out.status, out.stderr.trim()]).toEqual([
      1,
      `smashsight: --out ${path.join(dir, 'no-such-folder', 'x')}: no folder ${path.join(dir, 'no-such-folder')}`,
    ]);
    expect(text.status).toBe(1);
    expect(text.stderr.trim()).toMatch(new RegExp(`^smashsight: ${notVideo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a video ffmpeg can read`));
  });
});
