// Test helper: a private Xvfb server (Xvfb picks a free display itself via -displayfd) and a
// titled window on it showing moving pictures.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Xvfb {
  display: string;
  stop(): Promise<void>;
}

export async function startXvfb(screen = '640x480x24'): Promise<Xvfb> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', screen, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited ${code}: ${err.slice(-500)}`)));
    setTimeout(() => reject(new Error('Xvfb did not report a display within 20 s')), 20_000);
  });
  return { display, stop: () => stopProcess(proc) };
}

export async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

/**
 * Shows a window titled `title` on `display`: the synthetic game's live window when the game
 * module provides one, else ffplay playing ffmpeg's test pattern.
 */
export function showWindow(display: string, title: string, repo: string): ChildProcess {
  const env = { ...process.env, DISPLAY: display, SDL_AUDIODRIVER: 'dummy' };
  const liveWindow = fs.existsSync(path.join(repo, 'game', 'command.ts')) &&
    fs.readFileSync(path.join(repo, 'game', 'command.ts'), 'utf8').includes("'--window");
  if (liveWindow) {
    return spawn(process.execPath, [path.join(repo, 'bin', 'smashsight.js'), 'synth', '--live', '--window', title, '--fps', '10'], {
      env,
      stdio: 'ignore',
    });
  }
  return spawn('ffplay', ['-hide_banner', '-loglevel', 'error', '-an', '-window_title', title, '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10'], {
    env,
    stdio: 'ignore',
  });
}

/** Waits until a visible window whose title contains `title` exists. */
export async function waitForWindow(display: string, title: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const { stdout } = await exec('xdotool', ['search', '--onlyvisible', '--name', title], { env: { ...process.env, DISPLAY: display } });
      if (stdout.trim()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no window '${title}' on ${display} after ${timeoutMs} ms`);
}
