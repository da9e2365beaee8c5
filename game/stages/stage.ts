import type { Raster } from '../raster.ts';
import type { Camera, Surface } from './camera.ts';

export interface StageLook {
  /** Main platform first, then the floating ones. */
  surfaces: Surface[];
  /** Sky and scenery behind everything; `variant` in [0, 1) shifts clouds, stars and tint. */
  background(r: Raster, cam: Camera, variant: number): void;
  /** The stage geometry characters stand on. */
  platforms(r: Raster, cam: Camera): void;
}
