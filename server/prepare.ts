// The prepare stage: frame → engine batch. With no regions ffmpeg already delivers the model's size
// and the frame goes to the engine as is (zero copies). With regions ffmpeg delivers a source-aspect
// working frame and sharp crops + resizes each region to the model's input; all regions of a frame
// form one batch.
import sharp from 'sharp';
import { SHARP_MODEL_RESIZE } from '../kit/resize.ts';
import type { Frame } from '../source/frames.ts';
import { WHOLE_FRAME } from './protocol.ts';
import type { Rect, Size } from '../kit/geometry.ts';
import type { RegionSpec } from './protocol.ts';

export interface Batch {
  data: Uint8Array;
  n: number;
  /** Region name per batch item, in order. */
  names: string[];
}

/** Longest side of the working frame when regions are cropped in Node (ffmpeg scales to it). */
export const WORKING_MAX_SIDE = 640;

/** The size ffmpeg should deliver: the model's when classifying whole frames, else source aspect. */
export function workingSize(source: Size, model: Size, withRegions: boolean): Size {
  if (!withRegions) return model;
  const scale = Math.min(1, WORKING_MAX_SIDE / Math.max(source.width, source.height));
  const even = (v: number): number => Math.max(2, Math.round((v * scale) / 2) * 2);
  return { width: even(source.width), height: even(source.height) };
}

/** A source-pixel rectangle mapped onto the working frame, clamped inside it, at least 1×1. */
export function toFrameRect(r: Rect, source: Size, frame: Size): Rect {
  const sx = frame.width / source.width;
  const sy = frame.height / source.height;
  const x = Math.min(frame.width - 1, Math.max(0, Math.floor(r.x * sx)));
  const y = Math.min(frame.height - 1, Math.max(0, Math.floor(r.y * sy)));
  const w = Math.max(1, Math.min(frame.width - x, Math.round(r.w * sx)));
  const h = Math.max(1, Math.min(frame.height - y, Math.round(r.h * sy)));
  return { x, y, w, h };
}

function resizeRaw(frame: Frame, model: Size, rect?: Rect): Promise<Buffer> {
  let img = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (rect) img = img.extract({ left: rect.x, top: rect.y, width: rect.w, height: rect.h });
  return img.resize(model.width, model.height, SHARP_MODEL_RESIZE).raw().toBuffer();
}

export async function prepareBatch(frame: Frame, regions: readonly RegionSpec[], source: Size, model: Size): Promise<Batch> {
  if (regions.length === 0) {
    const same = frame.width === model.width && frame.height === model.height;
    return { data: same ? frame.data : await resizeRaw(frame, model), n: 1, names: [WHOLE_FRAME] };
  }
  const parts = await Promise.all(regions.map((r) => resizeRaw(frame, model, toFrameRect(r, source, frame))));
  return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), n: parts.length, names: regions.map((r) => r.name) };
}

export interface PrepareStageOptions {
  model: Size;
  /** The regions now (the operator may change them between frames). */
  regions: () => readonly RegionSpec[];
  /** The source's size once probed; region rectangles are in its pixels. */
  sourceSize: () => Size | null;
}

/** The pipeline's first stage; also tells the source which frame size to ask ffmpeg for. */
export class PrepareStage {
  constructor(private readonly o: PrepareStageOptions) {}

  prepare(frame: Frame): Promise<Batch> {
    return prepareBatch(frame, this.o.regions(), this.o.sourceSize() ?? frame, this.o.model);
  }

  frameSize(source: Size): Size {
    return workingSize(source, this.o.model, this.o.regions().length > 0);
  }
}
