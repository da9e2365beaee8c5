// The training commands' own flag values (numbers go through kit/flags.ts): each turns a flag's
// text into a checked value or a UserError naming the flag.
import { UserError } from '../kit/errors.ts';
import { BACKBONES, isBackboneName } from '../engine/backbones.ts';
import type { BackboneName } from '../engine/backbones.ts';

export function backboneFlag(text: string): BackboneName {
  if (!isBackboneName(text)) throw new UserError(`--backbone '${text}': expected one of ${BACKBONES.join(', ')}`);
  return text;
}

export function nameFlag(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text)) throw new UserError(`--name '${text}': use letters, digits, '.', '_' or '-'`);
  return text;
}
