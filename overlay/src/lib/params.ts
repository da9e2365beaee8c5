// Overlay URL parameters: parsed and validated once at load. Bad values fall back to the default
// and are listed in `errors`, which the page shows (a silent typo in an OBS URL is hard to find).

export const LAYOUTS = ['card', 'minimal', 'bar'] as const;
export const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
export const THEMES = ['dark', 'light'] as const;

export type Layout = (typeof LAYOUTS)[number];
export type Position = (typeof POSITIONS)[number];
export type Theme = (typeof THEMES)[number];

export interface OverlayParams {
  /** Regions to show, in order; empty = every region the server has. */
  regions: string[];
  layout: Layout;
  position: Position;
  confidence: boolean;
  theme: Theme;
  scale: number;
  fadeMs: number;
  hideUnknown: boolean;
  token: string | null;
  /** The server's setup to show (`?setup=`); undefined: the server's first (the only one without --setup). */
  setup?: string;
  errors: string[];
}

export const DEFAULTS: Omit<OverlayParams, 'errors'> = {
  regions: [],
  layout: 'card',
  position: 'top-left',
  confidence: false,
  theme: 'dark',
  scale: 1,
  fadeMs: 500,
  hideUnknown: true,
  token: null,
};

const REGION_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;

function oneOf<T extends string>(name: string, raw: string | null, allowed: readonly T[], fallback: T, errors: string[]): T {
  if (raw === null) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  errors.push(`${name}=${raw}: expected one of ${allowed.join(', ')}`);
  return fallback;
}

function flag(name: string, raw: string | null, fallback: boolean, errors: string[]): boolean {
  if (raw === null) return fallback;
  if (raw === '1' || raw === 'true' || raw === '') return true;
  if (raw === '0' || raw === 'false') return false;
  errors.push(`${name}=${raw}: expected 1 or 0`);
  return fallback;
}

function number(name: string, raw: string | null, min: number, max: number, fallback: number, errors: string[]): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n) && n >= min && n <= max) return n;
  errors.push(`${name}=${raw}: expected a number from ${min} to ${max}`);
  return fallback;
}

function regionList(values: string[], errors: string[]): string[] {
  const out: string[] = [];
  for (const name of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')) {
    if (!REGION_NAME.test(name)) errors.push(`region=${name}: expected letters, digits or '-'`);
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * `?setup=`: a name as the server's --setup takes them. A bad one is reported and still asked for,
 * so the server refuses it: falling back to the first setup would show another setup's labels.
 */
export function setupName(raw: string | null, errors: string[]): string | undefined {
  if (raw === null || raw === '') return undefined;
  if (!REGION_NAME.test(raw)) errors.push(`setup=${raw}: expected letters, digits or '-'`);
  return raw;
}

export function parseOverlayParams(search: string): OverlayParams {
  const q = new URLSearchParams(search);
  const errors: string[] = [];
  const known = new Set(['region', 'layout', 'position', 'confidence', 'theme', 'scale', 'fade', 'hideUnknown', 'token', 'setup']);
  for (const key of new Set(q.keys())) if (!known.has(key)) errors.push(`${key}: unknown parameter`);
  const layout = oneOf('layout', q.get('layout'), LAYOUTS, DEFAULTS.layout, errors);
  return {
    regions: regionList(q.getAll('region'), errors),
    layout,
    position: oneOf('position', q.get('position'), POSITIONS, layout === 'bar' ? 'bottom' : DEFAULTS.position, errors),
    confidence: flag('confidence', q.get('confidence'), DEFAULTS.confidence, errors),
    theme: oneOf('theme', q.get('theme'), THEMES, DEFAULTS.theme, errors),
    scale: number('scale', q.get('scale'), 0.25, 4, DEFAULTS.scale, errors),
    fadeMs: Math.round(number('fade', q.get('fade'), 0, 5000, DEFAULTS.fadeMs, errors)),
    hideUnknown: flag('hideUnknown', q.get('hideUnknown'), DEFAULTS.hideUnknown, errors),
    token: q.get('token') || null,
    setup: setupName(q.get('setup'), errors),
    errors,
  };
}
