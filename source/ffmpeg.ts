// Which ffmpeg to run: the one on PATH (usually newer, distro-patched) or, failing that, the
// static binary inside @ffmpeg-installer so `npm ci` alone gives a working one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../kit/errors.ts';

export interface FfmpegLocation {
  path: string;
  origin: 'PATH' | 'npm';
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

export function findFfmpeg(): FfmpegLocation {
  if (cached) return cached;
  const fromPath = onPath('ffmpeg');
  if (fromPath) return (cached = { path: fromPath, origin: 'PATH' });
  const npm = fromNpm();
  if (npm) return (cached = { path: npm, origin: 'npm' });
  throw new UserError('ffmpeg not found: not on PATH and @ffmpeg-installer/ffmpeg has no binary here ' + '(install it: sudo apt-get install -y ffmpeg)');
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
