// The two shapes every stage passes around: a rectangle in pixels and a size.

/** A rectangle in pixels, top-left origin (as ffmpeg's crop and the region API write it). */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Size {
  width: number;
  height: number;
}
