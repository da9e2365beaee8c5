// One frame's path, top to bottom: source → prepare (crop/scale) → engine → smooth → publish.
// The newest frame wins (obs-backgroundremoval's loop): while the engine is busy a newer frame
// replaces the waiting one, which is counted as dropped; nothing queues, so latency stays bounded.
import { now } from '../kit/clock.ts';
import type { Engine } from '../engine/engine.ts';
import type { Frame } from '../source/frames.ts';
import type { Batch } from './prepare.ts';
import type { Metrics, Stage } from './metrics.ts';

/** The stages in the order a frame meets them, each an object with one method. */
export interface PipelineStages<U> {
  prepare: { prepare(frame: Frame): Promise<Batch> | Batch };
  engine: Pick<Engine, 'run'>;
  /** Smoothing + state update; returns what to publish. */
  smooth: { smooth(frame: Frame, batch: Batch, probs: Float32Array): U };
  publish: { publish(update: U): void };
}

export interface PipelineOptions {
  /** Cap on inferences per second (undefined: as fast as the engine goes). */
  fps?: number;
  metrics: Metrics;
  /** Called with a stage error; the frame is skipped and the pipeline goes on. */
  onError?: (err: Error) => void;
}

export class Pipeline<U> {
  private pending: Frame | null = null;
  private busy = false;
  private stopped = false;
  private nextAllowed = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly stages: PipelineStages<U>,
    private readonly o: PipelineOptions,
  ) {}

  /** A frame arrived from the source (a bound function: the source runner is handed it as is). */
  readonly push = (frame: Frame): void => {
    if (this.stopped) return;
    this.o.metrics.frameIn();
    if (this.pending) this.o.metrics.dropped++;
    this.pending = frame;
    this.pump();
  };

  stop(): void {
    this.stopped = true;
    this.pending = null;
    clearTimeout(this.timer);
  }

  /** Resolves once no frame is waiting or in the engine (a finished file drains this way). */
  idle(): Promise<void> {
    if (!this.busy && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.busy || !this.pending || this.stopped) return;
    const wait = this.nextAllowed - performance.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const frame = this.pending;
    this.pending = null;
    this.busy = true;
    if (this.o.fps) this.nextAllowed = performance.now() + 1000 / this.o.fps;
    this.process(frame).catch((err: unknown) => {
      this.release();
      this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
    });
  }

  /** The engine is free: start the next frame (if any) before this one is smoothed and published. */
  private release(): void {
    if (!this.busy) return;
    this.busy = false;
    this.pump();
    if (!this.busy && !this.pending) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async process(frame: Frame): Promise<void> {
    const t0 = now();
    const batch = await this.stages.prepare.prepare(frame);
    const t1 = now();
    const probs = await this.stages.engine.run(batch.data, batch.n);
    const t2 = now();
    // Start the next frame before smoothing and sending this one: an engine that computes off the
    // main thread overlaps the two (onnxruntime-node computes on it, deferred by setImmediate, so
    // there this only queues). Order is kept: no result can arrive during this synchronous work.
    this.release();
    if (this.stopped) return;
    const update = this.stages.smooth.smooth(frame, batch, probs);
    const t3 = now();
    this.stages.publish.publish(update);
    const t4 = now();
    const durations: Record<Stage, number> = {
      wait: t0 - frame.capturedAt,
      preprocess: t1 - t0,
      infer: t2 - t1,
      smooth: t3 - t2,
      publish: t4 - t3,
      total: t4 - frame.capturedAt,
    };
    this.o.metrics.frameOut(durations);
  }
}
