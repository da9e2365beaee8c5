// Which ffmpeg to run: the one on PATH (usually newer, distro-patched) or, when there is none or it
// does not run, the static binary inside @ffmpeg-installer so `npm ci` alone gives a working one.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../kit/errors.ts';

export interface FfmpegLocation {
  path: string;
  origin: 'PATH' | 'npm';
  /** An ffmpeg on PATH that does not run (and why): the bundled one is used instead. */
  broken?: { path: string; why: string };
}

export interface FfmpegInfo extends FfmpegLocation {
  version: string;
  devices: { x11grab: boolean; v4l2: boolean; gdigrab: boolean; avfoundation: boolean; lavfi: boolean };
  /** x11grab's -window_id option (ffmpeg ≥ 5.0): capture a window, not a screen region. */
  windowId: boolean;
}

const run = promisify(execFile);
let cached: FfmpegLocation | undefined;
const infoCache = new Map<string, Promise<FfmpegInfo>>();

function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

function fromNpm(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path;
  } catch {
    return undefined; // the package throws when no binary exists for this platform
  }
}

/**
 * Why this ffmpeg cannot serve (null: it runs, and has the rawvideo encoder frames are read
 * through). Run once per binary: a PATH ffmpeg with a missing shared library exits 127 on every
 * start, and retrying it forever would never tell anyone.
 */
function unusable(file: string): string | null {
  const r = spawnSync(file, ['-encoders'], { encoding: 'utf8', timeout: 15_000, maxBuffer: 8 << 20 });
  const last = (r.stderr ?? '').trim().split('\n').slice(-1)[0]?.trim();
  if (r.error) return r.error.message;
  if (r.signal) return `killed by ${r.signal}${last ? `: ${last}` : ''}`;
  if (r.status !== 0) return `exits with code ${r.status}${last ? `: ${last}` : ''}`;
  if (!/ffmpeg version/.test(r.stderr)) return `does not print an ffmpeg version (${last ?? 'no output'})`;
  if (!/^\s*V\S*\s+rawvideo\b/m.test(r.stdout)) return 'has no rawvideo encoder';
  return null;
}

export function findFfmpeg(): FfmpegLocation {
  if (cached) return cached;
  const fromPath = onPath('ffmpeg');
  const pathWhy = fromPath ? unusable(fromPath) : null;
  if (fromPath && !pathWhy) return (cached = { path: fromPath, origin: 'PATH' });
  const broken = fromPath && pathWhy ? { path: fromPath, why: pathWhy } : undefined;
  const npm = fromNpm();
  const npmWhy = npm ? unusable(npm) : null;
  if (npm && !npmWhy) return (cached = { path: npm, origin: 'npm', broken });
  const tried = [broken && `${broken.path} ${broken.why}`, npm && `${npm} ${npmWhy}`].filter(Boolean);
  throw new UserError(
    `ffmpeg not found: ${tried.length ? tried.join('; ') : 'not on PATH and @ffmpeg-installer/ffmpeg has no binary here'} ` +
      '(install it: sudo apt-get install -y ffmpeg)',
  );
}

/** Version and capture devices of an ffmpeg binary (default: findFfmpeg()). Cached per path. */
export function ffmpegInfo(location: FfmpegLocation = findFfmpeg()): Promise<FfmpegInfo> {
  let info = infoCache.get(location.path);
  if (!info) {
    info = probe(location);
    infoCache.set(location.path, info);
  }
  return info;
}

async function probe(location: FfmpegLocation): Promise<FfmpegInfo> {
  const text = async (args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run(location.path, ['-hide_banner', ...args], { maxBuffer: 8 << 20 });
      return stdout + stderr;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return (e.stdout ?? '') + (e.stderr ?? '');
    }
  };
  const [versionText, devicesText, x11Text] = await Promise.all([text(['-version']), text(['-devices']), text(['-h', 'demuxer=x11grab'])]);
  const version = /ffmpeg version (\S+)/.exec(versionText)?.[1] ?? 'unknown';
  const has = (name: string): boolean => new RegExp(`^\\s*D\\S*\\s+(?:\\S+,)?${name}\\b`, 'm').test(devicesText);
  return {
    ...location,
    version,
    devices: {
      x11grab: has('x11grab'),
      v4l2: has('v4l2') || has('video4linux2'),
      gdigrab: has('gdigrab'),
      avfoundation: has('avfoundation'),
      lavfi: has('lavfi'),
    },
    windowId: /-window_id\b/.test(x11Text),
  };
}
