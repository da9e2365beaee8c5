// Flag validation for every command, one dialect: once, at the edge, with messages that name the
// flag (or the config key) and say what it must be.
import { UserError } from './errors.ts';

/** Parses a comma list and checks every item against `allowed`. */
export function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new UserError(`${flag}: empty list (choose from ${allowed.join(', ')})`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UserError(`${flag}: unknown '${item}' (choose from ${allowed.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

export interface SizeLimits {
  flag?: string;
  minWidth?: number;
  minHeight?: number;
  max?: number;
  even?: boolean;
}

/** `WxH` (as ffmpeg writes sizes, e.g. 640x480) → size, within the command's limits. */
export function parseSize(text: string, limits: SizeLimits = {}): { width: number; height: number } {
  const { flag = '--size', minWidth = 1, minHeight = minWidth, max = 16384, even = false } = limits;
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const width = m ? Number(m[1]) : NaN,
    height = m ? Number(m[2]) : NaN;
  if (!m || width < minWidth || height < minHeight || width > max || height > max || (even && (width % 2 || height % 2))) {
    const rule = `${even ? 'even ' : ''}sizes from ${minWidth}x${minHeight} to ${max}x${max}`;
    throw new UserError(`${flag} '${text}': expected WxH with ${rule}, e.g. 640x480`);
  }
  return { width, height };
}

/** What a number must be: a test and the words for it ("a number > 0"). */
export interface NumberRule {
  ok(n: number): boolean;
  want: string;
}

export const POSITIVE_INT: NumberRule = { ok: (n) => Number.isInteger(n) && n >= 1, want: 'a positive integer' };
export const WHOLE_NUMBER: NumberRule = { ok: (n) => Number.isInteger(n) && n >= 0, want: 'an integer >= 0' };
export const POSITIVE: NumberRule = { ok: (n) => n > 0, want: 'a number > 0' };
export const NON_NEGATIVE: NumberRule = { ok: (n) => n >= 0, want: 'a number >= 0' };
export const FRACTION: NumberRule = { ok: (n) => n >= 0 && n < 1, want: 'a number from 0 to 1 (exclusive)' };
export const ANY_NUMBER: NumberRule = { ok: () => true, want: 'a number' };
export const PORT: NumberRule = { ok: (n) => Number.isInteger(n) && n >= 0 && n < 65536, want: 'a port number 0-65535' };

export function intRange(min: number, max: number): NumberRule {
  return { ok: (n) => Number.isInteger(n) && n >= min && n <= max, want: `a whole number from ${min} to ${max}` };
}

export function numberRange(min: number, max: number): NumberRule {
  return { ok: (n) => n >= min && n <= max, want: `a number from ${min} to ${max}` };
}

/**
 * Checks a number given as a flag's text or a config file's value; `where` names it (`--fps`, or
 * `smashsight.json: "fps"`), so the one message shape serves flags and config files alike.
 */
export function checkNumber(where: string, value: unknown, rule: NumberRule): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || !rule.ok(n)) throw new UserError(`${where}: must be ${rule.want}, got ${JSON.stringify(value)}`);
  return n;
}

/** A commander argument parser for a number flag. */
export function numberFlag(flag: string, rule: NumberRule): (text: string) => number {
  return (text) => checkNumber(flag, text, rule);
}

export function parseOnOff(flag: string, text: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UserError(`${flag} '${text}': expected on or off`);
}
