// Sources that draw their own frames (the synthetic game): whoever composes the program plugs one
// in under its spec name, and ffmpeg reads its raw rgb24 frames from stdin like any capture.
// source/ knows none of them, so the product never imports its test rigs.
import { UserError } from '../kit/errors.ts';
import type { Size } from '../kit/geometry.ts';

/** What a generator says it drew: the ground truth a live run is scored against. */
export interface TruthEntry {
  /** Date.now() ms when that label's first frame was emitted. */
  t: number;
  /** Index of that frame in the stream (frames emitted before it). */
  frame: number;
  label: string;
}

export interface GeneratedVideo {
  /** Raw rgb24 at the generator's size, paced at the fps asked for. */
  frames: NodeJS.ReadableStream;
  /** Grows live. */
  timeline: readonly TruthEntry[];
  /** When frame `index` (0 = the first emitted) was drawn, on kit/clock's clock; undefined once forgotten. */
  drawnAt?(index: number): number | undefined;
  stop(): void;
}

export interface GeneratorRequest {
  seed: number;
  fps: number;
  /** Seconds between label switches. */
  switchSeconds: number;
  /** Where the timeline is appended as JSON lines. */
  timelinePath?: string;
}

export interface FrameGenerator {
  /** The frame size it draws (the source's own size: regions are given in it). */
  size: Size;
  start(request: GeneratorRequest): GeneratedVideo;
}

const generators = new Map<string, FrameGenerator>();

export function registerGenerator(name: string, generator: FrameGenerator): void {
  generators.set(name, generator);
}

export function generatorFor(name: string): FrameGenerator {
  const g = generators.get(name);
  if (!g) throw new UserError(`source '${name}': no such frame generator in this program (known: ${[...generators.keys()].join(', ') || 'none'})`);
  return g;
}
