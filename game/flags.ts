// Validation of `synth` flags: once, at the edge, with messages that name the flag.
import { UserError } from '../cli/run.ts';

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

export function parseSize(flag: string, text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const width = m ? Number(m[1]) : NaN, height = m ? Number(m[2]) : NaN;
  if (!m || width < 64 || height < 48 || width > 4096 || height > 4096 || width % 2 || height % 2) {
    throw new UserError(`${flag} '${text}': expected WxH with even sizes from 64x48 to 4096x4096, e.g. 640x480`);
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
