// Keeps frames coming: opens the source through ffmpeg, and when a live source dies (ffmpeg exits,
// window closed, stream dropped) opens it again after a backoff of 0.5 s doubling to 10 s, forever.
// A live source that stops delivering without ffmpeg exiting (a stream whose sender went quiet:
// ffmpeg just waits) is caught by a frame watchdog: no frame for `stallMs` → 'stalled', restarted
// the same way. A file that was played once ends. Every state change is reported (status events,
// not log lines).
// Frames do not pass through here: each new stream is connected straight to the sinks (pipeline,
// preview), so a frame goes from source/frames.ts to server/pipeline.ts.
import { EventEmitter } from 'node:events';
import type { Frame, FrameSourceOptions, FrameStream } from '../source/frames.ts';
import type { SourceSpec } from '../source/spec.ts';
import type { Size } from '../kit/geometry.ts';
import type { SourceState, SourceStatus } from './protocol.ts';

/** Seconds without a frame before a live source counts as stalled (--stall-seconds). */
export const DEFAULT_STALL_SECONDS = 5;
/**
 * The first frame after an open may take longer: ffmpeg probes a stream before its first frame
 * (mpegts over udp with ffmpeg's defaults: 7 s here, analyzeduration being 5 s).
 */
const FIRST_FRAME_MS = 15_000;

export type OpenFrames = (spec: SourceSpec, opts: FrameSourceOptions) => FrameStream;
/** The source's pixel size; `signal` aborts (the runner stopped) and must end any ffmpeg it runs. */
export type ProbeSize = (spec: SourceSpec, signal: AbortSignal) => Promise<Size>;

export interface SourceRunnerOptions {
  spec: SourceSpec;
  specText: string;
  live: boolean;
  open: OpenFrames;
  probe: ProbeSize;
  /** The frame size to ask ffmpeg for, given the source's size (regions may change it: see refit). */
  frameSize: (source: Size) => Size;
  /** Passed to openFrames on every open (fps, synthetic switch seconds, timeline path…). */
  frameOptions: Omit<FrameSourceOptions, 'width' | 'height'>;
  backoff?: { initialMs: number; maxMs: number };
  /** Live sources: restart after this long without a frame (undefined: never). */
  stallMs?: number;
  /** …and after this long without the first frame of an open (default: the larger of stallMs and 15 s). */
  firstFrameMs?: number;
  /** Once the source's size is known: why the run cannot go on with it (regions outside it), or null. */
  checkSize?: (size: Size) => string | null;
}

export type FrameSink = (frame: Frame) => void;

export interface SourceRunnerEvents {
  status: [SourceStatus];
  /** A finished file (or one that could not be opened): no frame follows. */
  ended: [SourceStatus];
}

export class SourceRunner extends EventEmitter<SourceRunnerEvents> {
  stream: FrameStream | undefined;
  sourceSize: Size | null = null;
  /** The frame size the latest stream was opened with. */
  private openedSize: Size | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private generation = 0;
  private status: SourceStatus;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly sinks: FrameSink[] = [];
  private readonly stopping = new AbortController();
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly o: SourceRunnerOptions) {
    super();
    this.backoff = o.backoff ?? { initialMs: 500, maxMs: 10_000 };
    this.status = {
      spec: o.specText,
      live: o.live,
      state: 'starting',
      width: null,
      height: null,
      restarts: 0,
      retryInMs: null,
      lastError: null,
      since: Date.now(),
    };
  }

  get current(): SourceStatus {
    return this.status;
  }

  /** Where every stream's frames go, from the next open on. */
  pipe(...sinks: FrameSink[]): this {
    this.sinks.push(...sinks);
    return this;
  }

  start(): void {
    void this.open();
  }

  /**
   * Re-open only if the frame size asked of ffmpeg changed (regions switched between whole frame
   * and crops, and the crops' working size is not the model's); crops that move are cut in Node.
   */
  refit(): void {
    if (!this.sourceSize || !this.openedSize) return;
    const want = this.o.frameSize(this.sourceSize);
    if (want.width !== this.openedSize.width || want.height !== this.openedSize.height) this.reopen();
  }

  /** Re-open now with the current frame size. */
  reopen(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.closeStream();
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    this.closeStream();
  }

  private closeStream(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    const s = this.stream;
    this.stream = undefined;
    if (!s) return;
    s.removeAllListeners();
    s.on('error', () => {}); // a late error from a stream we gave up on is not news
    s.stop();
  }

  private setStatus(state: SourceState, patch: Partial<SourceStatus> = {}): void {
    this.status = { ...this.status, ...patch, state, since: state === this.status.state ? this.status.since : Date.now() };
    this.emit('status', this.status);
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    try {
      if (!this.sourceSize) {
        const size = await this.o.probe(this.o.spec, this.stopping.signal);
        this.status = { ...this.status, width: size.width, height: size.height };
        const refused = this.o.checkSize?.(size);
        if (refused) {
          // Not the source's fault, so no retry would help: the run ends here.
          this.stopped = true;
          this.setStatus('down', { lastError: refused, retryInMs: null });
          this.emit('ended', this.status);
          return;
        }
        this.sourceSize = size;
      }
    } catch (err) {
      this.failed((err as Error).message);
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    this.openedSize = this.o.frameSize(this.sourceSize);
    const stream = this.o.open(this.o.spec, { ...this.o.frameOptions, ...this.openedSize });
    this.stream = stream;
    let ended = false;
    stream.once('frame', () => {
      this.failures = 0;
      this.setStatus('up', { retryInMs: null });
    });
    for (const sink of this.sinks) stream.on('frame', sink);
    if (this.o.live && this.o.stallMs !== undefined) this.watch(stream, this.o.stallMs, this.o.firstFrameMs ?? Math.max(this.o.stallMs, FIRST_FRAME_MS));
    stream.on('end', () => (ended = true));
    stream.on('exit', (code: number | null, tail: string, reason?: string) => {
      if (this.stream !== stream) return;
      this.closeStream();
      if (ended && !this.o.live) {
        this.setStatus('ended', { retryInMs: null });
        this.emit('ended', this.status);
        return;
      }
      const why = tail.split('\n').filter(Boolean).slice(-1)[0];
      this.failed(reason || `ffmpeg exited with code ${code}${why ? `: ${why}` : ''}`);
    });
  }

  /** No frame for `stallMs` since the last one (or `firstMs` since the open) → this stream is given up. */
  private watch(stream: FrameStream, stallMs: number, firstMs: number): void {
    let last = performance.now();
    let first = true;
    stream.on('frame', () => {
      last = performance.now();
      first = false;
    });
    this.watchdog = setInterval(
      () => {
        const limit = first ? firstMs : stallMs;
        if (this.stream !== stream || performance.now() - last < limit) return;
        this.closeStream();
        const s = (limit / 1000).toFixed(1);
        this.failed(first ? `no first frame within ${s} s of opening` : `no frame for ${s} s`, 'stalled');
      },
      Math.min(1000, stallMs / 4),
    );
    this.watchdog.unref();
  }

  private failed(message: string, state: 'restarting' | 'stalled' = 'restarting'): void {
    if (this.stopped) return;
    if (!this.o.live) {
      this.setStatus('down', { lastError: message, retryInMs: null });
      this.emit('ended', this.status);
      return;
    }
    const wait = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
    this.failures++;
    this.setStatus(state, { lastError: message, retryInMs: wait, restarts: this.status.restarts + 1 });
    this.timer = setTimeout(() => void this.open(), wait);
  }
}
