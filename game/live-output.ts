// Where `synth --live` sends its frames: a window (ffplay), an encoded stream or file (ffmpeg,
// libx264 ultrafast/zerolatency), or raw rgb24 on stdout.
import { spawn } from 'node:child_process';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import type { Readable } from 'node:stream';
import type { LiveGame } from './live.ts';
import { findFfmpeg } from '../source/ffmpeg.ts';
import { UserError } from '../kit/errors.ts';

export type LiveOutput = { kind: 'window'; title: string } | { kind: 'encode'; target: string } | { kind: 'stdout' };

export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
}

/** Pipes the game into its output; resolves when the output has finished (after stop or its own exit). */
export function runLiveOutput(game: LiveGame, out: LiveOutput, v: VideoFormat): Promise<void> {
  const frames = game.frames as Readable;
  if (out.kind === 'stdout') {
    return new Promise((resolve) => {
      process.stdout.on('error', () => {
        game.stop();
        resolve();
      }); // reader went away (EPIPE)
      frames.pipe(process.stdout, { end: false });
      frames.on('end', () => resolve());
    });
  }
  if (out.kind === 'window') return toWindow(game, frames, out.title, v);
  return toEncoder(game, frames, out.target, v);
}

function rawArgs(v: VideoFormat): string[] {
  return ['-f', 'rawvideo', '-pixel_format', 'rgb24', '-video_size', `${v.width}x${v.height}`, '-framerate', String(v.fps)];
}

function toWindow(game: LiveGame, frames: Readable, title: string, v: VideoFormat): Promise<void> {
  if (!process.env.DISPLAY) throw new UserError('--window needs an X display: DISPLAY is not set');
  // ffplay sits beside the ffmpeg we use when that came from PATH; otherwise rely on PATH.
  const found = findFfmpeg();
  const ffplay = found.origin === 'PATH' ? path.join(path.dirname(found.path), 'ffplay') : 'ffplay';
  const child = spawn(ffplay, [...rawArgs(v), '-window_title', title, '-autoexit', '-loglevel', 'error', '-i', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.on('error', () => game.stop());
  frames.pipe(child.stdin);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      game.stop();
      reject(new UserError(`cannot start ${ffplay}: ${err.message}`));
    });
    child.on('exit', () => {
      game.stop();
      resolve();
    });
  });
}

function toEncoder(game: LiveGame, frames: Readable, target: string, v: VideoFormat): Promise<void> {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
  const cmd = ffmpeg(frames)
    .setFfmpegPath(findFfmpeg().path)
    .inputOptions(rawArgs(v))
    .videoCodec('libx264')
    .outputOptions(['-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', String(Math.round(v.fps))])
    .output(target);
  if (isUrl) cmd.format('mpegts');
  else cmd.outputOptions(['-y']);
  return new Promise((resolve, reject) => {
    cmd.on('end', () => resolve());
    cmd.on('error', (err: Error) => {
      game.stop();
      reject(new UserError(`ffmpeg could not write ${target}: ${err.message.split('\n')[0]}`));
    });
    cmd.run();
  });
}
