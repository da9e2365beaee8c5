// The operator page's live thumbnail: a small JPEG of the newest frame ffmpeg delivered (no extra
// capture), encoded on request at most a few times a second and cached per frame.
import sharp from 'sharp';
import type { Frame } from '../source/frames.ts';
import type { Size } from '../kit/geometry.ts';

const MAX_WIDTH = 320;
const MIN_INTERVAL_MS = 200;

export class Preview {
  private latest: Frame | null = null;
  private cached: { seq: number; jpeg: Buffer; at: number } | null = null;
  private encoding: Promise<Buffer> | null = null;

  /** Keeps a reference only: the frame buffer is not copied. Bound: a frame sink as is. */
  readonly update = (frame: Frame): void => {
    this.latest = frame;
  };

  /** JPEG at the source's aspect (whole-frame mode delivers the model's square size). */
  async jpeg(source: Size | null): Promise<Buffer | null> {
    const frame = this.latest;
    if (!frame) return null;
    const c = this.cached;
    if (c && (c.seq === frame.seq || Date.now() - c.at < MIN_INTERVAL_MS)) return c.jpeg;
    this.encoding ??= this.encode(frame, source).finally(() => (this.encoding = null));
    return this.encoding;
  }

  private async encode(frame: Frame, source: Size | null): Promise<Buffer> {
    const aspect = source ? source.height / source.width : frame.height / frame.width;
    const width = Math.min(MAX_WIDTH, source?.width ?? frame.width);
    const height = Math.max(1, Math.round(width * aspect));
    const jpeg = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize(width, height, { fit: 'fill' })
      .jpeg({ quality: 70 })
      .toBuffer();
    this.cached = { seq: frame.seq, jpeg, at: Date.now() };
    return jpeg;
  }
}
