// What a character is to the renderer: proportions for the skeleton, a body drawing, and a head
// drawing that the HUD reuses as the port icon.
import type { Pen } from '../pen.ts';
import type { Joints, P, Pose, Proportions } from '../skeleton.ts';
import type { Palette } from '../palettes.ts';
import type { PoseName } from '../poses.ts';

export interface FigureCtx {
  pen: Pen;
  j: Joints;
  pose: Pose;
  pal: Palette;
  action: PoseName;
}

export interface Figure {
  body: Proportions;
  /** Standing height in local units, for placement and scale. */
  height: number;
  draw(ctx: FigureCtx): void;
  /** Head (or whole body, for round characters) centred on c, rotated by angle; radius ~ body.headR. */
  head(pen: Pen, c: P, angle: number, pal: Palette): void;
}
