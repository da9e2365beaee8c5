// ffmpeg → fixed-size rgb24 frames. ffmpeg does all pixel work (decode, crop, scale, convert);
// Node only cuts its stdout into frames and stamps each one as its last byte arrives.
// No restarts here: whoever opened the stream decides what a dead source means.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { ffmpegInfo } from './ffmpeg.ts';
import { describeExit, spawnFfmpeg } from './ffmpeg-process.ts';
import { generatorFor, type GeneratedVideo } from './generated.ts';
import { now } from '../kit/clock.ts';
import type { Rect } from '../kit/geometry.ts';
import { ffmpegModelScale } from '../kit/resize.ts';
import { ffmpegInputFor } from './input.ts';
import type { SourceSpec } from './spec.ts';

export interface Frame {
  seq: number;
  /** Date.now() ms, sub-ms precision, when the frame's last byte left ffmpeg. */
  capturedAt: number;
  /** When the source drew it, where the source says (the synthetic game): same clock. */
  drawnAt?: number;
  width: number;
  height: number;
  /** rgb24, HWC. */
  data: Buffer;
}

export interface FrameSourceOptions {
  width: number;
  height: number;
  /** Output frame rate (ffmpeg drops/duplicates by timestamp); grabbers capture at this rate. */
  fps?: number;
  /** Crop in source pixels, before scaling. */
  crop?: Rect;
  /** Files: play at their own speed (`-re`). Default: only looping files. */
  realtime?: boolean;
  /** Generated source: seconds between label switches (default 4). */
  switchSeconds?: number;
  /** Generated source: where the true label timeline is appended as JSON lines. */
  timelinePath?: string;
}

export interface FrameStreamEvents {
  frame: [Frame];
  /** The input finished cleanly (a file); always followed by 'exit'. */
  end: [];
  /**
   * ffmpeg is gone (also when it could not start: code null, the reason as the tail). `reason` is
   * one line for people: the exit code or the signal's name, and ffmpeg's last stderr line.
   */
  exit: [code: number | null, stderrTail: string, reason: string];
  /** Never emitted by ffmpeg streams; declared so a consumer may guard against a stream that does. */
  error: [Error];
}

/** Frames until 'exit'; nothing is emitted after stop(). */
export interface FrameStream extends EventEmitter<FrameStreamEvents> {
  readonly pid: number | undefined;
  /** The generator behind a generated source such as `synthetic` (its timeline is the ground truth). */
  readonly generated?: GeneratedVideo;
  stop(): void;
  /** Stop reading ffmpeg's output (ffmpeg then blocks): for consumers slower than a file decodes. */
  pause?(): void;
  resume?(): void;
}

const DEFAULT_FPS = 30;
const STDERR_TAIL_CHARS = 4000;

export function openFrames(spec: SourceSpec, opts: FrameSourceOptions): FrameStream {
  return new FfmpegFrames(spec, opts);
}

class FfmpegFrames extends EventEmitter<FrameStreamEvents> implements FrameStream {
  generated: GeneratedVideo | undefined;
  private proc: ChildProcess | undefined;
  private stopped = false;
  private paused = false;
  private stderrTail = '';

  constructor(
    private readonly spec: SourceSpec,
    private readonly opts: FrameSourceOptions,
  ) {
    super();
    this.start().catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.finish(null, message, message);
    });
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  // Not reading stdout fills the pipe, and ffmpeg blocks on its next write.
  pause(): void {
    this.paused = true;
    this.proc?.stdout?.pause();
  }

  resume(): void {
    this.paused = false;
    this.proc?.stdout?.resume();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.generated?.stop();
    this.proc?.kill('SIGKILL');
  }

  private async start(): Promise<void> {
    const { width, height } = this.opts;
    const fps = this.opts.fps ?? DEFAULT_FPS;
    const info = await ffmpegInfo();
    const input = await ffmpegInputFor(this.spec, { fps, realtime: this.opts.realtime, info });
    if (this.stopped) return;

    const filters = [input.crop, this.opts.crop].filter((c): c is Rect => c !== undefined).map((c) => `crop=${c.w}:${c.h}:${c.x}:${c.y}`);
    // The fps filter (not -fps_mode, which ffmpeg 4.1 from npm lacks) drops/duplicates by timestamp.
    if (this.opts.fps) filters.push(`fps=${this.opts.fps}`);
    filters.push(ffmpegModelScale(width, height));
    const args = [
      ...(input.generated ? [] : ['-nostdin']),
      '-hide_banner',
      '-loglevel',
      'error',
      ...input.inputOptions,
      '-i',
      input.input,
      '-an',
      '-vf',
      filters.join(','),
      ...input.outputOptions,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      '-flush_packets',
      '1',
      'pipe:1',
    ];
    const proc = spawnFfmpeg(info.path, args, { stdin: input.generated ? 'pipe' : 'ignore', stdout: 'pipe' });
    this.proc = proc;
    if (input.generated) {
      const { name, seed, fps: rate } = input.generated;
      this.generated = generatorFor(name).start({ seed, fps: rate, switchSeconds: this.opts.switchSeconds ?? 4, timelinePath: this.opts.timelinePath });
      proc.stdin!.on('error', () => {}); // ffmpeg died mid-write: its exit says why
      this.generated.frames.pipe(proc.stdin!);
    }
    const frames = new FrameCutter(width * height * 3, (data, seq) => {
      if (this.stopped) return;
      // ffmpeg passes a generated stream's frames one for one (same rate in and out): frame seq is
      // the generator's frame seq, so its draw time is known.
      const drawnAt = this.generated?.drawnAt?.(seq);
      this.emit('frame', { seq, capturedAt: now(), width, height, data, ...(drawnAt === undefined ? {} : { drawnAt }) });
    });
    proc.stdout!.on('data', (chunk: Buffer) => frames.push(chunk));
    if (this.paused) proc.stdout!.pause();
    proc.stderr!.on('data', (text: Buffer) => {
      this.stderrTail = (this.stderrTail + String(text)).slice(-STDERR_TAIL_CHARS);
    });
    proc.on('error', (err) => this.finish(null, err.message, err.message));
    // 'close' comes after stdout is drained, so every frame is out before 'end'/'exit'.
    proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const tail = this.stderrTail.trim();
      this.finish(code, tail, describeExit(code, signal, tail));
    });
  }

  private finish(code: number | null, tail: string, reason: string): void {
    this.generated?.stop();
    if (this.stopped) return;
    this.stopped = true;
    if (code === 0) this.emit('end');
    this.emit('exit', code, tail, reason);
  }
}

/** Cuts a byte stream into fixed-size frames, copying a frame only when it spans chunks. */
export class FrameCutter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private seq = 0;

  constructor(
    private readonly size: number,
    private readonly onFrame: (data: Buffer, seq: number) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= this.size) {
      this.buffered -= this.size;
      this.onFrame(this.take(), this.seq++);
    }
  }

  private take(): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= this.size) {
      this.dropFront(this.size);
      return first.subarray(0, this.size);
    }
    const frame = Buffer.allocUnsafe(this.size);
    let filled = 0;
    while (filled < this.size) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length, this.size - filled);
      chunk.copy(frame, filled, 0, n);
      filled += n;
      this.dropFront(n);
    }
    return frame;
  }

  private dropFront(n: number): void {
    const first = this.chunks[0]!;
    if (n === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
  }
}
