// `vod`: a recorded video through the live path's own stages, as fast as the machine goes. Unlike
// the live pipeline nothing is dropped: ffmpeg decodes at the asked fps (a file is not paced) and
// is paused while frames wait; frames are batched through the engine, cropped by the server's
// prepare stage, and smoothed by its Smoother on video time (frame index / fps), not the clock.
import type { Engine, DeviceKind, Precision } from '../engine/engine.ts';
import { UserError } from '../kit/errors.ts';
import type { Size } from '../kit/geometry.ts';
import { createProgress } from '../kit/progress.ts';
import type { Frame, FrameStream } from '../source/frames.ts';
import type { SourceSpec } from '../source/spec.ts';
import { prepareBatch, workingSize } from './prepare.ts';
import { checkRegionsFit, UNKNOWN, WHOLE_FRAME, type RegionSpec, type SmoothingSettings } from './protocol.ts';
import { Smoother } from './store.ts';
import { chaptersOf, segmentsOf, type Timeline, type Track } from './vod-output.ts';

export interface VodOptions {
  /** The file or URL as the user gave it (for messages and the timeline). */
  input: string;
  spec: SourceSpec;
  model: string;
  regions: RegionSpec[];
  /** Frames analysed per second of video. */
  fps: number;
  minSegment: number;
  smoothing: SmoothingSettings;
  threads?: number;
  device?: DeviceKind;
  precision?: Precision;
  /** Stops the run; what was analysed so far is still returned (complete: false). */
  signal?: AbortSignal;
  /** Called with the timeline so far every few seconds, so a run killed outright leaves one. */
  checkpoint?: (partial: Timeline) => void;
}

/** Engine batch: this many crops per run (the demo model gains little beyond it on a CPU). */
const BATCH_ITEMS = 16;
/** Decoded frames waiting beyond this pause ffmpeg; below the low mark it goes on. */
const QUEUE_HIGH = 4 * BATCH_ITEMS;
const QUEUE_LOW = 2 * BATCH_ITEMS;
const CHECKPOINT_MS = 5000;

/** Frames a track looks back beyond the hold for the switch's first frame (the EMA's lag). */
const LEAD_FRAMES = 8;

/**
 * One region's smoothed labels. The Smoother shows a new label only once its moving average has
 * overtaken the old one and led for the hold time; offline we can see where the switch happened,
 * so the new label is dated back to the frame where its lead began, and further over the frames
 * just before whose own top guess was already the new label (the smoothing delays the display,
 * not the game).
 */
class RegionTrack implements Track {
  readonly labels: string[] = [];
  readonly confidence: number[] = [];
  private readonly smoother: Smoother;
  /** The last frames: time (ms), smoothed probabilities, the frame's own top class. */
  private recent: { t: number; avg: Float64Array; top: number }[] = [];
  private readonly keep: number;
  private lastChange = -1;

  constructor(
    readonly region: string,
    private readonly classes: readonly string[],
    private readonly smoothing: SmoothingSettings,
    fps: number,
  ) {
    this.smoother = new Smoother(classes, smoothing);
    this.keep = Math.ceil((smoothing.holdMs * fps) / 1000) + LEAD_FRAMES + 2;
  }

  add(probs: Float32Array, offset: number, t: number): void {
    const s = this.smoother.update(probs, t, offset);
    let top = 0;
    for (let i = 1; i < this.classes.length; i++) if (probs[offset + i]! > probs[offset + top]!) top = i;
    this.recent.push({ t, avg: Float64Array.from(this.smoother.probabilities), top });
    if (this.recent.length > this.keep) this.recent.shift();
    this.labels.push(s.label);
    this.confidence.push(s.confidence);
    if (s.changed) this.backdate(s.label, t);
  }

  private backdate(label: string, t: number): void {
    const k = label === UNKNOWN ? -1 : this.classes.indexOf(label);
    const now = this.labels.length - 1;
    let m = this.recent.length - 1;
    const relabel = (): boolean => {
      const i = now - (this.recent.length - 1 - --m);
      if (i <= this.lastChange) return false;
      const avg = this.recent[m]!.avg;
      this.labels[i] = label;
      this.confidence[i] = k < 0 ? Math.max(...avg) : avg[k]!;
      return true;
    };
    // The lead began at the newest frame at least holdMs before this one (as Smoother.update counts).
    while (m > 0 && t - this.recent[m]!.t < this.smoothing.holdMs && relabel());
    if (k >= 0) while (m > 0 && this.recent[m - 1]!.top === k && relabel());
    this.lastChange = now;
  }
}

function timelineOf(o: VodOptions, model: string, tracks: RegionTrack[], duration: number | null, complete: boolean): Timeline {
  const segments = tracks.flatMap((t) => segmentsOf(t, o.fps, o.minSegment));
  const regions = tracks.map((t) => t.region);
  const frames = tracks[0]?.labels.length ?? 0;
  return {
    input: o.input,
    model,
    fps: o.fps,
    regions,
    minSegment: o.minSegment,
    complete,
    seconds: Math.round((frames / o.fps) * 1000) / 1000,
    duration,
    segments,
    chapters: chaptersOf(segments, regions, o.minSegment),
  };
}

interface Prepared {
  frames: Frame[];
  data: Uint8Array;
  n: number;
}

/** Decoded frames, waited for in batches; ffmpeg is paused while too many wait. */
class FrameQueue {
  private frames: Frame[] = [];
  private ended = false;
  private failure: string | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: FrameStream) {
    stream.on('frame', (f) => {
      this.frames.push(f);
      if (this.frames.length >= QUEUE_HIGH) stream.pause?.();
      this.poke();
    });
    stream.on('exit', (code, _tail, reason) => {
      this.ended = true;
      if (code !== 0) this.failure = reason;
      this.poke();
    });
  }

  get error(): string | null {
    return this.failure;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Up to `n` frames; fewer only at the end; empty once the stream is over (or stopped). */
  async take(n: number, signal?: AbortSignal): Promise<Frame[]> {
    while (this.frames.length < n && !this.ended && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (signal?.aborted) return [];
    const out = this.frames.splice(0, n);
    if (this.frames.length < QUEUE_LOW) this.stream.resume?.();
    return out;
  }
}

export interface VodRun {
  timeline: Timeline;
  /** Wall-clock seconds the analysis took (decode to smoothing, after the engine loaded). */
  wallSeconds: number;
  frames: number;
}

export async function runVod(o: VodOptions): Promise<VodRun> {
  const { readModelPackage } = await import('../engine/package.ts');
  const { openEngine } = await import('../engine/open-engine.ts');
  const { openFrames } = await import('../source/frames.ts');
  const { probeInput } = await import('./source-size.ts');
  const pkg = await readModelPackage(o.model);
  let probed: { size: Size; seconds: number | null };
  try {
    // not stopped by the signal: a probe is short, and a run stopped early still writes its (empty) timeline
    probed = await probeInput(o.spec, o.fps);
  } catch (err) {
    throw new UserError(`${o.input}: not a video ffmpeg can read (${(err as Error).message})`);
  }
  const fit = checkRegionsFit(o.regions, probed.size.width, probed.size.height);
  if (!fit.ok) throw new UserError(`--region: ${fit.error}`);
  // A worker thread: ffmpeg's frames and sharp's crops go on while the network runs.
  const engine: Engine = await openEngine(pkg, { threads: o.threads, device: o.device, precision: o.precision, worker: true });
  try {
    return await analyse(o, pkg.dir, pkg.labels, engine, probed, openFrames);
  } finally {
    await engine.dispose();
  }
}

async function analyse(
  o: VodOptions,
  model: string,
  labels: string[],
  engine: Engine,
  probed: { size: Size; seconds: number | null },
  openFrames: typeof import('../source/frames.ts').openFrames,
): Promise<VodRun> {
  const modelSize = { width: engine.width, height: engine.height };
  const names = o.regions.length ? o.regions.map((r) => r.name) : [WHOLE_FRAME];
  const tracks = names.map((name) => new RegionTrack(name, labels, o.smoothing, o.fps));
  // An empty timeline first: a bad --out fails now, and a run stopped at once still leaves one.
  o.checkpoint?.(timelineOf(o, model, tracks, probed.seconds, false));
  const frameSize = workingSize(probed.size, modelSize, o.regions.length > 0);
  const stream = openFrames(o.spec, { ...frameSize, fps: o.fps, realtime: false });
  const queue = new FrameQueue(stream);
  const perFrame = names.length;
  const framesPerBatch = Math.max(1, Math.floor(BATCH_ITEMS / perFrame));
  const expected = probed.seconds ? Math.ceil(probed.seconds * o.fps) : 0;
  const progress = createProgress('vod frames', expected);
  const started = performance.now();
  let lastCheckpoint = started;
  let frames = 0;

  const prepareNext = async (): Promise<Prepared | null> => {
    const batch = await queue.take(framesPerBatch, o.signal);
    if (batch.length === 0) return null;
    const parts = await Promise.all(batch.map((f) => prepareBatch(f, o.regions, probed.size, modelSize)));
    const data = parts.length === 1 ? parts[0]!.data : Buffer.concat(parts.map((p) => p.data));
    return { frames: batch, data, n: batch.length * perFrame };
  };

  try {
    // Two batches in flight: the next one is decoded and cropped while the engine runs this one.
    let next = prepareNext();
    for (let cur = await next; cur; cur = await next) {
      next = prepareNext();
      next.catch(() => {}); // awaited below; a failed run must not leave it unhandled
      const probs = await engine.run(cur.data, cur.n);
      if (o.signal?.aborted) break;
      cur.frames.forEach((f, k) => {
        const t = (f.seq * 1000) / o.fps; // video time: ffmpeg's fps filter emits frame seq at seq/fps s
        tracks.forEach((track, r) => track.add(probs, (k * perFrame + r) * labels.length, t));
      });
      frames += cur.frames.length;
      progress.tick(cur.frames.length);
      if (o.checkpoint && performance.now() - lastCheckpoint > CHECKPOINT_MS) {
        lastCheckpoint = performance.now();
        o.checkpoint(timelineOf(o, model, tracks, probed.seconds, false));
      }
    }
  } finally {
    stream.stop();
    progress.done();
  }
  const aborted = o.signal?.aborted === true;
  if (!aborted && queue.error) throw new UserError(`${o.input}: decoding failed after ${frames} frames: ${queue.error}`);
  if (!aborted && frames === 0) throw new UserError(`${o.input}: no video frames decoded`);
  return { timeline: timelineOf(o, model, tracks, probed.seconds, !aborted), wallSeconds: (performance.now() - started) / 1000, frames };
}
