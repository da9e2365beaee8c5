// Flag parsers for the training commands: each turns a flag's text into a checked value or a
// UserError naming the flag.
import { UserError } from '../kit/errors.ts';
import { isBackboneName } from '../engine/backbones.ts';
import type { BackboneName } from '../engine/backbones.ts';

type Parser<T> = (text: string) => T;

function checked(flag: string, what: string, ok: (v: number) => boolean): Parser<number> {
  return (text) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw new UserError(`${flag} '${text}': expected ${what}`);
    return v;
  };
}

export const positiveInt = (flag: string): Parser<number> => checked(flag, 'a positive integer', (v) => Number.isInteger(v) && v >= 1);
export const wholeNumber = (flag: string): Parser<number> => checked(flag, 'an integer >= 0', (v) => Number.isInteger(v) && v >= 0);
export const positive = (flag: string): Parser<number> => checked(flag, 'a number > 0', (v) => v > 0);
export const fraction = (flag: string): Parser<number> => checked(flag, 'a number from 0 to 1 (exclusive)', (v) => v >= 0 && v < 1);
export const nonNegative = (flag: string): Parser<number> => checked(flag, 'a number >= 0', (v) => v >= 0);

export function backboneFlag(text: string): BackboneName {
  if (!isBackboneName(text)) throw new UserError(`--backbone '${text}': expected vgg16 or tiny`);
  return text;
}

export function nameFlag(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text)) throw new UserError(`--name '${text}': use letters, digits, '.', '_' or '-'`);
  return text;
}
