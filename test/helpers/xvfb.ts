// Test helper: a private Xvfb server (Xvfb picks a free display itself via -displayfd) and a
// titled window on it showing moving pictures.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
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

/** Stops a process and, when it leads its own group (spawned detached), its children too. */
export async function stopProcess(proc: ChildProcess | undefined, group = false): Promise<void> {
  if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
  const target = group ? -proc.pid : proc.pid;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
  if (group) kill('SIGKILL'); // a child (ffplay) that outlived its parent
}

/**
 * Shows a window titled `title` on `display`: the synthetic game live (`synth --live --window`,
 * which plays through ffplay), or plain ffplay on ffmpeg's test pattern. Spawned as its own
 * process group: stop it with stopProcess(proc, true).
 */
export function showWindow(display: string, title: string, repo: string, what: 'synth' | 'testsrc' = 'synth'): ChildProcess {
  const env = { ...process.env, DISPLAY: display, SDL_AUDIODRIVER: 'dummy' };
  const [cmd, args] =
    what === 'synth'
      ? [process.execPath, [path.join(repo, 'bin', 'smashsight.js'), 'synth', '--live', '--window', title, '--fps', '10', '--size', '320x240']]
      : ['ffplay', ['-hide_banner', '-loglevel', 'error', '-an', '-window_title', title, '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10']];
  return spawn(cmd, args, { env, stdio: 'ignore', detached: true });
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
