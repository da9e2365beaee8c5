// `smashsight vod <file|url>`: chapters for a recorded video. Flags are checked here, once; the
// run (server/vod.ts) and the outputs (server/vod-output.ts) load inside the action.
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { DEVICE_KINDS, PRECISIONS, type DeviceKind, type Precision } from '../engine/engine.ts';
import { UserError } from '../kit/errors.ts';
import { ANY_NUMBER, NON_NEGATIVE, numberFlag, numberRange, POSITIVE_INT } from '../kit/flags.ts';
import { parseSourceSpec, type SourceSpec } from '../source/spec.ts';
import { parseRegionArg, validateRegions, type RegionSpec } from './protocol.ts';
import { DEFAULT_SMOOTHING, validateSmoothing } from './store.ts';

interface VodFlags {
  model?: string;
  region: string[];
  out?: string;
  minSegment: number;
  fps: number;
  ema: number;
  margin: number;
  holdMs: number;
  floor: number;
  threads?: number;
  device: DeviceKind;
  precision: Precision;
}

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const URL_PROTOCOLS = ['http:', 'https:', 'rtmp:', 'rtsp:', 'srt:', 'udp:', 'ftp:'];
/** YouTube's shortest chapter. */
const DEFAULT_MIN_SEGMENT = 10;
const DEFAULT_FPS = 10;

/** A file as `file:<path>` (read once, unpaced); a URL too: ffmpeg opens it as its input the same way. */
function inputSpec(input: string): SourceSpec {
  if (URL_RE.test(input)) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new UserError(`${input}: not a URL`);
    }
    if (!URL_PROTOCOLS.includes(url.protocol)) throw new UserError(`${input}: ffmpeg reads ${URL_PROTOCOLS.join(' ')} URLs, not ${url.protocol}`);
  } else {
    const stat = fs.statSync(input, { throwIfNoEntry: false });
    if (!stat) throw new UserError(`${input}: no such file`);
    if (!stat.isFile()) throw new UserError(`${input}: not a file`);
  }
  return parseSourceSpec(`file:${input}`);
}

/** Beside the video, without its extension; a URL's go to the current folder. */
function defaultBase(input: string): string {
  if (!URL_RE.test(input)) return path.join(path.dirname(input), path.parse(input).name);
  const name = path.parse(new URL(input).pathname).name;
  return name || 'vod';
}

function regionsFrom(list: string[]): RegionSpec[] {
  const specs = list.map((text) => {
    const p = parseRegionArg(text);
    if (!p.ok) throw new UserError(`--region: ${p.error}`);
    return p.value;
  });
  const checked = validateRegions(specs);
  if (!checked.ok) throw new UserError(`--region: ${checked.error}`);
  return checked.value;
}

const SIGNAL_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

async function vod(input: string, f: VodFlags): Promise<void> {
  if (!f.model) throw new UserError('--model: required (a model package folder, e.g. models/demo)');
  const spec = inputSpec(input);
  const regions = regionsFrom(f.region);
  const smoothing = { ema: f.ema, margin: f.margin, holdMs: f.holdMs, floor: f.floor };
  const bad = validateSmoothing(smoothing);
  if (bad) throw new UserError(bad);
  const base = f.out ?? defaultBase(input);
  const { outputPaths, writeTimeline, youtubeProblem, formatChapters } = await import('./vod-output.ts');
  const { runVod } = await import('./vod.ts');
  const paths = outputPaths(base);
  const folder = path.dirname(paths.json);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`--out ${base}: no folder ${folder}`);
  const write = (t: Parameters<typeof writeTimeline>[1]): void => {
    try {
      writeTimeline(paths, t);
    } catch (err) {
      throw new UserError(`--out ${base}: cannot write the timeline (${(err as Error).message})`);
    }
  };

  // The first signal stops the run and writes what was analysed; a second one ends it at once.
  const stop = new AbortController();
  let caught: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (caught) process.exit(SIGNAL_CODES[caught] ?? 1);
    caught = signal;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const run = await runVod({
      input,
      spec,
      model: f.model,
      regions,
      fps: f.fps,
      minSegment: f.minSegment,
      smoothing,
      threads: f.threads,
      device: f.device,
      precision: f.precision,
      signal: stop.signal,
      checkpoint: write,
    });
    write(run.timeline);
    const t = run.timeline;
    const files = `${paths.json}, ${paths.csv}, ${paths.chapters}`;
    if (caught)
      throw new UserError(`interrupted at ${t.seconds.toFixed(1)} s of video: partial timeline ("complete": false) in ${files}`, SIGNAL_CODES[caught]);
    process.stdout.write(formatChapters(t.chapters));
    const problem = youtubeProblem(t.chapters, t.seconds);
    if (problem) process.stderr.write(`note: ${problem}\n`);
    process.stdout.write(
      `vod: ${run.frames} frames (${t.seconds.toFixed(1)} s of video at ${t.fps} frames/s) in ${run.wallSeconds.toFixed(1)} s: ` +
        `${(run.frames / run.wallSeconds).toFixed(0)} frames/s, ${(t.seconds / run.wallSeconds).toFixed(1)}x real time; ` +
        `${t.segments.length} segments, ${t.chapters.length} chapters in ${files}\n`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerVod(program: Command): void {
  const collect = (v: string, all: string[]): string[] => [...all, v];
  program
    .command('vod')
    .description('label a recorded video as fast as the machine goes: timeline per region (JSON, CSV) and YouTube chapters')
    .argument('<file|url>', 'the video: a file, or a URL ffmpeg reads (http, rtmp, …)')
    .option('--model <package>', 'model package folder (required)')
    .option('--region <name=x,y,w,h>', 'classify this rectangle (source pixels); repeatable; none = whole frame', collect, [])
    .option('--out <base>', 'writes <base>.json, <base>.csv and <base>.chapters.txt (default: the video without its extension)')
    .option(
      '--min-segment <s>',
      'segments and chapters shorter than this many seconds are merged away',
      numberFlag('--min-segment', NON_NEGATIVE),
      DEFAULT_MIN_SEGMENT,
    )
    .option('--fps <n>', 'frames analysed per second of video', numberFlag('--fps', numberRange(0.1, 240)), DEFAULT_FPS)
    .option('--ema <a>', 'smoothing: weight of the newest frame in the moving average', numberFlag('--ema', ANY_NUMBER), DEFAULT_SMOOTHING.ema)
    .option('--margin <p>', 'smoothing: lead a new label needs over the shown one', numberFlag('--margin', ANY_NUMBER), DEFAULT_SMOOTHING.margin)
    .option('--hold-ms <ms>', 'smoothing: how long (video time) the lead must last', numberFlag('--hold-ms', ANY_NUMBER), DEFAULT_SMOOTHING.holdMs)
    .option('--floor <p>', "smoothing: below this confidence the label is 'unknown'", numberFlag('--floor', ANY_NUMBER), DEFAULT_SMOOTHING.floor)
    .option('--threads <n>', 'engine threads (default: all cores)', numberFlag('--threads', POSITIVE_INT))
    .addOption(new Option('--device <name>', 'execution device').choices([...DEVICE_KINDS]).default('auto'))
    .addOption(
      new Option('--precision <p>', 'int8 or fp32 graph (auto: int8 when the package has one and the CPU has VNNI)').choices([...PRECISIONS]).default('auto'),
    )
    .action(async (input: string, f: VodFlags) => vod(input, f));
}
