// Source specs: the one text form every command (capture, serve, bench) uses to name where frames
// come from. Parsed and validated once here; the rest of the code trusts a SourceSpec.
import { UserError } from '../kit/errors.ts';

export type SourceSpec =
  | { kind: 'window'; title: string }
  | { kind: 'dolphin' }
  | { kind: 'region'; x: number; y: number; w: number; h: number; display?: string }
  | { kind: 'v4l2'; device: string }
  | { kind: 'file'; path: string; loop: boolean }
  | { kind: 'url'; url: string }
  | { kind: 'synthetic'; seed: number }
  | { kind: 'ffmpeg'; args: string[] }
  /** A source (input or scene) in a running OBS, by name, over obs-websocket (source/obs.ts). */
  | { kind: 'obs'; name: string };

export const SOURCE_SPEC_HELP =
  'window:<title> | dolphin | region:x,y,w,h[@display] | v4l2:/dev/videoN | ' +
  'file:<path>[?loop] | url:<udp|srt|rtmp|rtsp|http(s) URL> | synthetic[:seed] | ffmpeg:<input args> | obs:<OBS source name>';

const URL_PROTOCOLS = ['udp:', 'srt:', 'rtmp:', 'rtsp:', 'http:', 'https:'];

function bad(text: string, why: string): UserError {
  return new UserError(`source '${text}': ${why} (expected ${SOURCE_SPEC_HELP})`);
}

export function parseSourceSpec(text: string): SourceSpec {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'window':
      if (!rest.trim()) throw bad(text, 'window title is empty');
      return { kind: 'window', title: rest };
    case 'dolphin':
      if (colon >= 0) throw bad(text, "'dolphin' takes no argument");
      return { kind: 'dolphin' };
    case 'region':
      return parseRegion(text, rest);
    case 'v4l2':
      if (!/^\/dev\/\S+$/.test(rest)) throw bad(text, 'expected a device path like /dev/video0');
      return { kind: 'v4l2', device: rest };
    case 'file': {
      const loop = rest.endsWith('?loop');
      const path = loop ? rest.slice(0, -'?loop'.length) : rest;
      if (!path) throw bad(text, 'file path is empty');
      return { kind: 'file', path, loop };
    }
    case 'url':
      return parseUrl(text, rest);
    case 'synthetic': {
      if (colon < 0) return { kind: 'synthetic', seed: 1 };
      if (!/^\d+$/.test(rest)) throw bad(text, `seed '${rest}' is not a non-negative integer`);
      return { kind: 'synthetic', seed: Number(rest) };
    }
    case 'ffmpeg': {
      const args = splitArgs(rest, text);
      if (args.length === 0) throw bad(text, 'no ffmpeg input arguments given');
      if (!args.includes('-i')) throw bad(text, "ffmpeg input arguments need an '-i <input>'");
      return { kind: 'ffmpeg', args };
    }
    case 'obs':
      if (!rest.trim()) throw bad(text, "the OBS source's name is empty");
      return { kind: 'obs', name: rest };
    default:
      throw bad(text, `unknown source kind '${kind}'`);
  }
}

/** Live sources are restarted when they die; a file played once simply ends. */
export function isLiveSource(spec: SourceSpec): boolean {
  return !(spec.kind === 'file' && !spec.loop);
}

export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'window':
      return `window:${spec.title}`;
    case 'dolphin':
      return 'dolphin';
    case 'region':
      return `region:${spec.x},${spec.y},${spec.w},${spec.h}${spec.display ? `@${spec.display}` : ''}`;
    case 'v4l2':
      return `v4l2:${spec.device}`;
    case 'file':
      return `file:${spec.path}${spec.loop ? '?loop' : ''}`;
    case 'url':
      return `url:${spec.url}`;
    case 'synthetic':
      return `synthetic:${spec.seed}`;
    case 'ffmpeg':
      return `ffmpeg:${spec.args.join(' ')}`;
    case 'obs':
      return `obs:${spec.name}`;
  }
}

function parseRegion(text: string, rest: string): SourceSpec {
  const at = rest.indexOf('@');
  const coords = at < 0 ? rest : rest.slice(0, at);
  const display = at < 0 ? undefined : rest.slice(at + 1);
  const parts = coords.split(',');
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p.trim()))) {
    throw bad(text, 'region needs four non-negative integers x,y,w,h');
  }
  const [x, y, w, h] = parts.map((p) => Number(p)) as [number, number, number, number];
  if (w === 0 || h === 0) throw bad(text, 'region width and height must be > 0');
  if (display !== undefined && !/^\S+$/.test(display)) throw bad(text, 'display after @ is empty');
  return display === undefined ? { kind: 'region', x, y, w, h } : { kind: 'region', x, y, w, h, display };
}

function parseUrl(text: string, rest: string): SourceSpec {
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw bad(text, `'${rest}' is not a URL`);
  }
  if (!URL_PROTOCOLS.includes(url.protocol)) {
    throw bad(text, `protocol '${url.protocol}' is not one of ${URL_PROTOCOLS.join(' ')}`);
  }
  return { kind: 'url', url: rest };
}

/** Splits like a POSIX shell would for quoting purposes: '…', "…", backslash escapes. */
export function splitArgs(line: string, context = line): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw bad(context, `unterminated ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}
