// The source's own pixel size: the coordinate space regions are given in. Known up front for the
// generated sources and screen regions; otherwise ffmpeg reads the input's stream header once,
// which also says how long a file is (`vod` needs it for its ETA).
import { ffmpegInfo } from '../source/ffmpeg.ts';
import { spawnFfmpeg } from '../source/ffmpeg-process.ts';
import { generatorFor } from '../source/generated.ts';
import { ffmpegInputFor } from '../source/input.ts';
import type { SourceSpec } from '../source/spec.ts';
import type { Size } from '../kit/geometry.ts';

const PROBE_TIMEOUT_MS = 15_000;

/** `signal` ends the probe's ffmpeg (the server stopping mid-probe must not leave it holding a port). */
export async function probeSourceSize(spec: SourceSpec, fps: number, signal?: AbortSignal): Promise<Size> {
  if (spec.kind === 'synthetic') return { ...generatorFor(spec.kind).size };
  if (spec.kind === 'region') return { width: spec.w, height: spec.h };
  return (await probeInput(spec, fps, signal)).size;
}

export interface ProbedInput {
  size: Size;
  /** The input's duration as its header states it; null for live inputs and headers without one. */
  seconds: number | null;
}

/** Reads the input's header with ffmpeg (not for generated sources, which have no header). */
export async function probeInput(spec: SourceSpec, fps: number, signal?: AbortSignal): Promise<ProbedInput> {
  const info = await ffmpegInfo();
  const input = await ffmpegInputFor(spec, { fps, info, realtime: false });
  signal?.throwIfAborted();
  const args = ['-hide_banner', '-nostdin', ...input.inputOptions, '-i', input.input, '-frames:v', '1', '-f', 'null', '-'];
  const stderr = await new Promise<string>((resolve) => {
    const proc = spawnFfmpeg(info.path, args, { stdin: 'ignore', stdout: 'ignore' });
    let text = '';
    proc.stderr!.on('data', (d: Buffer) => (text += String(d)));
    const kill = (): boolean => proc.kill('SIGKILL');
    const timer = setTimeout(kill, PROBE_TIMEOUT_MS);
    signal?.addEventListener('abort', kill, { once: true });
    proc.on('close', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve(text);
    });
    proc.on('error', (err) => resolve(err.message));
  });
  signal?.throwIfAborted();
  const m = /Stream #\d+:\d+.*?: Video: .*?(\d{2,5})x(\d{2,5})/.exec(stderr);
  if (!m) throw new Error(`could not read the source's frame size: ${stderr.trim().split('\n').slice(-1)[0] ?? 'no output'}`);
  const size = { width: Number(m[1]), height: Number(m[2]) };
  const crop = input.crop;
  const d = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  const seconds = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null;
  return { size: crop ? { width: crop.w, height: crop.h } : size, seconds };
}
