// Flag validation for every command: once, at the edge, with messages that name the flag.
import { UserError } from './errors.ts';

/** Parses a comma list and checks every item against `allowed`. */
export function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UserError(`${flag}: empty list (choose from ${allowed.join(', ')})`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UserError(`${flag}: unknown '${item}' (choose from ${allowed.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

export interface SizeLimits { flag?: string; minWidth?: number; minHeight?: number; max?: number; even?: boolean }

/** `WxH` (as ffmpeg writes sizes, e.g. 640x480) → size, within the command's limits. */
export function parseSize(text: string, limits: SizeLimits = {}): { width: number; height: number } {
  const { flag = '--size', minWidth = 1, minHeight = minWidth, max = 16384, even = false } = limits;
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const width = m ? Number(m[1]) : NaN, height = m ? Number(m[2]) : NaN;
  if (!m || width < minWidth || height < minHeight || width > max || height > max || (even && (width % 2 || height % 2))) {
    const rule = `${even ? 'even ' : ''}sizes from ${minWidth}x${minHeight} to ${max}x${max}`;
    throw new UserError(`${flag} '${text}': expected WxH with ${rule}, e.g. 640x480`);
  }
  return { width, height };
}

export function parseIntFlag(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || v < min || v > max) {
    throw new UserError(`${flag} '${text}': expected a whole number from ${min} to ${max}`);
  }
  return v;
}

export function parseNumberFlag(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new UserError(`${flag} '${text}': expected a number from ${min} to ${max}`);
  }
  return v;
}

export function parseOnOff(flag: string, text: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UserError(`${flag} '${text}': expected on or off`);
}
