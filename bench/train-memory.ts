// `npm run bench:train-memory`: does train's memory grow with the data set? Synthesizes two sets
// (default 720 and 7,200 frames), splits each, runs `train` on each as its own process at the same
// size and settings, and prints each run's peak RSS (train's own `peak memory` line, its
// getrusage maxRSS), the peak of each phase (sampled from /proc: extraction, head, the package's
// export, evaluation)
// and the ratio of the two peaks, which issue 9 wants at most 1.2.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../kit/errors.ts';
import { describeCpu } from '../kit/cpu.ts';

const CLI = fileURLToPath(new URL('../bin/smashsight.js', import.meta.url));
/** 8 characters × 3 colours × 3 stages × 2 facings: a count is a multiple of this many frames. */
const COMBOS = { characters: 8, colors: ['default', 'red', 'blue'], stages: ['battlefield', 'finaldest', 'dreamland'], orientations: 2 };
const PER_ROUND = COMBOS.characters * COMBOS.colors.length * COMBOS.stages.length * COMBOS.orientations;
export const TARGET_RATIO = 1.2;
const MALLOC_ENV = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_'];

export interface TrainMemoryOptions {
  counts: number[];
  backbone: string;
  size: string;
  epochs: number;
  /** Where the synthetic sets are kept between runs. */
  cache: string;
}

export type Phase = 'start' | 'extract' | 'head' | 'package' | 'evaluate';

export interface TrainMemoryRun {
  frames: number;
  trainRows: number;
  peakMB: number;
  /** Highest sampled RSS per phase (MB); empty where /proc cannot be read. */
  phases: Partial<Record<Phase, number>>;
  seconds: number;
}

/** Which phase a line of train's stderr starts. */
export function phaseOf(line: string): Phase | null {
  if (/^(feature cache|features )/.test(line)) return 'extract';
  if (/^(training the head|Epoch )/.test(line)) return 'head';
  if (/^package: /.test(line)) return 'package';
  if (/^evaluate /.test(line)) return 'evaluate';
  return null;
}

/** `--counts 720,7200`: positive multiples of one round of the synthetic game's combinations. */
export function parseCounts(spec: string): number[] {
  const counts = spec.split(',').map((s) => Number(s.trim()));
  const bad = counts.find((n) => !Number.isInteger(n) || n <= 0 || n % PER_ROUND !== 0);
  if (bad !== undefined || counts.length < 1) throw new UserError(`--counts ${spec}: each count must be a positive multiple of ${PER_ROUND} frames`);
  return counts;
}

function cli(args: string[], onLine?: (line: string) => void, onStart?: (pid: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) onStart?.(child.pid);
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => void (out += d));
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      const lines = (partial + d.toString()).split(/[\n\r]/);
      partial = lines.pop() ?? '';
      for (const l of lines) if (l) onLine?.(l);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(err);
      else reject(new Error(`smashsight ${args[0]} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** A split synthetic set of `frames` frames under the cache folder, made once. */
async function syntheticSet(cache: string, frames: number): Promise<string> {
  const root = path.join(cache, String(frames));
  const keras = path.join(root, 'keras');
  if (fs.existsSync(path.join(keras, 'split.json'))) return keras;
  fs.rmSync(root, { recursive: true, force: true });
  await cli([
    'synth',
    '--out',
    root,
    '--colors',
    COMBOS.colors.join(','),
    '--stages',
    COMBOS.stages.join(','),
    '--frames-per-combo',
    String(frames / PER_ROUND),
  ]);
  await cli(['split', '--in', path.join(root, 'images'), '--out', keras]);
  return keras;
}

function rssMB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null; // not Linux, or the process just ended
  }
}

async function measure(o: TrainMemoryOptions, frames: number, say: (line: string) => void): Promise<TrainMemoryRun> {
  const data = await syntheticSet(o.cache, frames);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-mem-'));
  const phases: Partial<Record<Phase, number>> = {};
  let phase: Phase = 'start';
  let pid = 0;
  const sample = (): void => {
    const mb = pid ? rssMB(pid) : null;
    if (mb !== null) phases[phase] = Math.max(phases[phase] ?? 0, mb);
  };
  const timer = setInterval(sample, 100);
  const started = performance.now();
  let trainRows = 0;
  try {
    const args = ['train', '--data', data, '--backbone', o.backbone, '--size', o.size, '--epochs', String(o.epochs), '--cache', path.join(scratch, 'cache')];
    const stderr = await cli(
      [...args, '--out', path.join(scratch, 'models')],
      (line) => {
        sample(); // the peak of the phase that is ending
        phase = phaseOf(line) ?? phase;
        const rows = /^training the head on \S+: (\d+) rows/.exec(line);
        if (rows) trainRows = Number(rows[1]);
      },
      (p) => void (pid = p),
    );
    const peak = /^peak memory: (\d+) MB resident$/m.exec(stderr);
    if (!peak) throw new Error('train printed no "peak memory" line');
    const run = { frames, trainRows, peakMB: Number(peak[1]), phases, seconds: (performance.now() - started) / 1000 };
    say(formatRun(run));
    return run;
  } finally {
    clearInterval(timer);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatRun(r: TrainMemoryRun): string {
  const order: Phase[] = ['start', 'extract', 'head', 'package', 'evaluate'];
  const phases = order.filter((p) => r.phases[p] !== undefined).map((p) => `${p} ${Math.round(r.phases[p]!)}`);
  return `${String(r.frames).padStart(6)} frames (${r.trainRows} train rows): peak ${r.peakMB} MB${phases.length ? ` [phase peaks MB: ${phases.join(', ')}]` : ''}, ${r.seconds.toFixed(0)} s`;
}

export async function runTrainMemoryBench(o: TrainMemoryOptions, say: (line: string) => void): Promise<TrainMemoryRun[]> {
  fs.mkdirSync(o.cache, { recursive: true });
  say(
    `cpu: ${describeCpu()}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  say(`train --backbone ${o.backbone} --size ${o.size} --epochs ${o.epochs}, fresh feature cache each run, on ${o.counts.join(' and ')} synthetic frames`);
  // glibc's malloc settings change these figures (its dynamic mmap threshold keeps freed engine buffers in the heap)
  const malloc = MALLOC_ENV.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  say(`glibc malloc: ${malloc.length ? malloc.join(' ') : 'defaults'}`);
  const runs: TrainMemoryRun[] = [];
  for (const n of o.counts) runs.push(await measure(o, n, say));
  if (runs.length > 1) {
    const [first, last] = [runs[0]!, runs[runs.length - 1]!];
    const ratio = last.peakMB / first.peakMB;
    say(
      `peak RSS ${last.frames} / ${first.frames} frames: ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); load average now ${os.loadavg()[0]!.toFixed(2)}`,
    );
  }
  return runs;
}
