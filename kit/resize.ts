// One resize for every path into a model. Training decodes JPEGs and resizes them with sharp; live,
// ffmpeg scales whole frames and sharp cuts regions out of a working frame. All three use one
// filter, bilinear widened to the reduction (libvips `linear` without JPEG shrink-on-load, swscale
// `bilinear` with full-resolution chroma and exact rounding), so a model sees live what it saw in
// training. Measured on a 640x480 game JPEG (mean absolute difference, 0-255 levels): 0.30 at
// 128x96, 0.31 at 160x120, 0.56 at 224x224 (test/resize-parity.test.ts holds it under 1); before,
// sharp's lanczos3 with shrink-on-load against swscale's default chroma handling: 1.65-1.89.

/** sharp `resize()` options for a model input: stretched like Keras' target_size. */
export const SHARP_MODEL_RESIZE = { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false } as const;

/** The ffmpeg filter that scales a whole frame to a model input. */
export function ffmpegModelScale(width: number, height: number): string {
  return `scale=${width}:${height}:flags=bilinear+accurate_rnd+full_chroma_int+full_chroma_inp`;
}
