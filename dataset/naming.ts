// The notebook's frame naming: <character>_<color>_<stage>_<orientation>_bg_on_<NNN>.jpg.
// Each field is any token without '_' (the notebook's rule: a capture may say `na` for a facing it
// did not track). Only `left`/`right` mean something more: a mirrored left frame is a right frame.
// Numbers are zero-padded to at least three digits (the notebook's width); longer runs keep counting.
import path from 'node:path';
import { UserError } from '../kit/errors.ts';

export interface FrameName {
  character: string;
  color: string;
  stage: string;
  orientation: string;
  number: number;
}

/** Label fields in order; the label of a frame is these joined by '_'. */
export const LABEL_FIELDS = ['character', 'color', 'stage', 'orientation'] as const;

const FRAME_RE = /^([^_]+)_([^_]+)_([^_]+)_([^_]+)_bg_on_([0-9]{3,})\.jpg$/;
const TOKEN_RE = /^[a-z0-9-]+$/i;

/** Parses a frame file name (a path is fine: only its base name counts). Throws UserError. */
export function parseFrameName(file: string): FrameName {
  const base = path.basename(file);
  const m = FRAME_RE.exec(base);
  if (!m) {
    throw new UserError(`${file}: name does not match <character>_<color>_<stage>_<orientation>_bg_on_<NNN>.jpg`);
  }
  const [, character, color, stage, orientation, digits] = m as unknown as string[];
  return { character, color, stage, orientation, number: Number(digits) };
}

export function formatFrameName(n: FrameName): string {
  return `${n.character}_${n.color}_${n.stage}_${n.orientation}_bg_on_${String(n.number).padStart(3, '0')}.jpg`;
}

/** A frame's mask file name (the seed's `data/masks`): the frame's name with `.png`. */
export function maskNameFor(frameName: string): string {
  return frameName.replace(/\.jpg$/i, '.png');
}

/** Where a frame's mask lies: `<root>/images/<class>/<f>.jpg` has `<root>/masks/<class>/<f>.png`. */
export function maskPathFor(framePath: string): string {
  const classDir = path.dirname(framePath);
  return path.join(path.dirname(path.dirname(classDir)), 'masks', path.basename(classDir), maskNameFor(path.basename(framePath)));
}

/** The label the server shows below its confidence floor: no class may be called this. */
export const RESERVED_CLASS = 'unknown';

/**
 * Parses a capture label `<character>_<color>_<stage>_<orientation>`, in lower case: a class is
 * its folder name, so `Fox_…` and `fox_…` would otherwise become two classes. Throws UserError.
 */
export function parseLabel(label: string): Omit<FrameName, 'number'> {
  const parts = label.toLowerCase().split('_');
  if (parts.length !== 4 || parts.some((p) => !TOKEN_RE.test(p))) {
    throw new UserError(`--label '${label}': expected <character>_<color>_<stage>_<orientation> (letters, digits, '-')`);
  }
  const [character, color, stage, orientation] = parts as [string, string, string, string];
  if (character === RESERVED_CLASS) throw new UserError(`--label '${label}': '${RESERVED_CLASS}' is reserved (the label shown when no class is confident)`);
  return { character, color, stage, orientation };
}

/** The facing a frame has once mirrored: left ↔ right; any other token is kept as it is. */
export function mirroredFacing(orientation: string): string {
  return orientation === 'left' ? 'right' : orientation === 'right' ? 'left' : orientation;
}
