// Turns a SourceSpec into ffmpeg input arguments for this platform. Window lookups happen here,
// at open time, so each (re)open captures where the window is now.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../kit/errors.ts';
import type { Rect } from '../kit/geometry.ts';
import type { FfmpegInfo } from './ffmpeg.ts';
import { generatorFor } from './generated.ts';
import type { SourceSpec } from './spec.ts';
import { findDolphinWindow, findWindow, pickDolphin } from './x11.ts';

export interface FfmpegInput {
  /** Options placed before `-i` (format, grab size, pacing…). */
  inputOptions: string[];
  /** The `-i` argument; 'pipe:0' for a generated source. */
  input: string;
  /** Extra output options (from `ffmpeg:` args after the input). */
  outputOptions: string[];
  /** Crop applied before the caller's crop (macOS regions grab the whole screen). */
  crop?: Rect;
  /** Frames come from a plugged-in generator (source/generated.ts), written to ffmpeg's stdin. */
  generated?: { name: string; seed: number; fps: number };
}

export interface InputContext {
  /** Grab/render rate; also the synthetic game's pace. */
  fps: number;
  /** Play files at their own speed (`-re`); default: only looping files. */
  realtime?: boolean;
  platform?: NodeJS.Platform;
  info: FfmpegInfo;
}

export async function ffmpegInputFor(spec: SourceSpec, ctx: InputContext): Promise<FfmpegInput> {
  const platform = ctx.platform ?? process.platform;
  const plain = (inputOptions: string[], input: string): FfmpegInput => ({ inputOptions, input, outputOptions: [] });
  switch (spec.kind) {
    case 'window':
    case 'dolphin':
    case 'region':
      return screenInput(spec, ctx, platform);
    case 'v4l2':
      return plain(['-f', 'v4l2'], spec.device);
    case 'file': {
      const realtime = ctx.realtime ?? spec.loop;
      return plain([...(realtime ? ['-re'] : []), ...(spec.loop ? ['-stream_loop', '-1'] : [])], spec.path);
    }
    case 'url':
      // Don't let ffmpeg buffer a live stream: a late frame is worth less than a fresh one.
      return plain(['-fflags', 'nobuffer', '-flags', 'low_delay'], spec.url);
    case 'synthetic': {
      const { width, height } = generatorFor(spec.kind).size;
      return {
        inputOptions: ['-probesize', '32', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${width}x${height}`, '-framerate', String(ctx.fps)],
        input: 'pipe:0',
        outputOptions: [],
        generated: { name: spec.kind, seed: spec.seed, fps: ctx.fps },
      };
    }
    case 'ffmpeg': {
      const i = spec.args.lastIndexOf('-i');
      if (i < 0 || i + 1 >= spec.args.length) throw new UserError("ffmpeg: source needs '-i <input>'");
      return { inputOptions: spec.args.slice(0, i), input: spec.args[i + 1]!, outputOptions: spec.args.slice(i + 2) };
    }
    case 'obs':
      // Not an ffmpeg input: OBS owns the device, its frames come over obs-websocket (source/obs.ts).
      throw new UserError(`source 'obs:${spec.name}': OBS frames come over obs-websocket, not through ffmpeg`);
  }
}

type ScreenSpec = Extract<SourceSpec, { kind: 'window' | 'dolphin' | 'region' }>;

async function screenInput(spec: ScreenSpec, ctx: InputContext, platform: NodeJS.Platform): Promise<FfmpegInput> {
  // Grabbers know their format: probing would first buffer ~4 s of frames before the first one.
  const rate = ['-probesize', '32', '-framerate', String(ctx.fps)];
  if (platform === 'win32') {
    const grab = ['-f', 'gdigrab', '-draw_mouse', '0', ...rate];
    if (spec.kind === 'region') {
      return {
        inputOptions: [...grab, '-offset_x', `${spec.x}`, '-offset_y', `${spec.y}`, '-video_size', `${spec.w}x${spec.h}`],
        input: 'desktop',
        outputOptions: [],
      };
    }
    const title = spec.kind === 'window' ? await windowsTitle((t) => t.includes(spec.title), spec.title) : await windowsTitle(null, 'Dolphin');
    return { inputOptions: grab, input: `title=${title}`, outputOptions: [] };
  }
  if (platform === 'darwin') {
    // avfoundation grabs whole screens only: a region is the screen cropped; windows can't be found.
    if (spec.kind !== 'region') {
      throw new UserError(
        `source '${spec.kind}': macOS capture (avfoundation) grabs whole screens, not windows; use region:x,y,w,h[@screen] with the window's position`,
      );
    }
    const screen = spec.display ?? '0';
    return {
      inputOptions: ['-f', 'avfoundation', '-capture_cursor', '0', ...rate],
      input: `Capture screen ${screen}:none`,
      outputOptions: [],
      crop: { x: spec.x, y: spec.y, w: spec.w, h: spec.h },
    };
  }
  if (!ctx.info.devices.x11grab) throw new UserError(`${ctx.info.path} has no x11grab: install an ffmpeg with it (sudo apt-get install -y ffmpeg)`);
  const display = spec.kind === 'region' && spec.display ? spec.display : process.env.DISPLAY;
  if (!display) throw new UserError(`source '${spec.kind}': DISPLAY is not set (no X11 session to capture)`);
  const grab = ['-f', 'x11grab', '-draw_mouse', '0', ...rate];
  if (spec.kind === 'region') {
    return { inputOptions: [...grab, '-video_size', `${spec.w}x${spec.h}`], input: `${display}+${spec.x},${spec.y}`, outputOptions: [] };
  }
  const win = spec.kind === 'window' ? await findWindow(spec.title, display) : await findDolphinWindow(display);
  if (ctx.info.windowId) {
    // Grabbing by id keeps capturing the window's own pixels even when it moves or is covered.
    return { inputOptions: [...grab, '-window_id', `0x${win.id.toString(16)}`], input: display, outputOptions: [] };
  }
  return { inputOptions: [...grab, '-video_size', `${win.width}x${win.height}`], input: `${display}+${win.x},${win.y}`, outputOptions: [] };
}

/** Windows: the exact title gdigrab needs, found among top-level window titles. */
async function windowsTitle(match: ((t: string) => boolean) | null, wanted: string): Promise<string> {
  const { stdout } = await promisify(execFile)('powershell', [
    '-NoProfile',
    '-Command',
    'Get-Process | Where-Object { $_.MainWindowTitle } | ForEach-Object { $_.MainWindowTitle }',
  ]).catch(() => ({ stdout: '' }));
  const titles = stdout
    .split(/\r?\n/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (titles.length === 0 && match) return wanted; // no PowerShell answer: let gdigrab try the title as given
  const hit = match ? titles.find(match) : pickDolphin(titles.map((title) => ({ title })))?.title;
  if (!hit) throw new UserError(`no window titled '${wanted}'; windows: ${titles.slice(0, 12).join(', ') || 'none found'}`);
  return hit;
}
