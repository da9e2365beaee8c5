// The real CLI server (`node bin/smashsight.js serve|demo …`) as a child process, as a user runs it,
// and the processes on this machine by command line: for what survives a kill, and for exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CLI } from './cli.ts';

export interface CliServer {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT, once the server printed its overlay line. */
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI and resolves once it printed the overlay URL (or rejects with its output when it exits first). */
export function startCliServer(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CliServer> {
  const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no overlay URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      out += String(d);
      const m = /overlay:\s+(http:\/\/[^/\s]+)\/overlay/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, output: () => out, exited });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before serving:\n${out}`));
    });
  });
}

/** Pids whose command line contains `needle` (Linux /proc). */
export function pidsWith(needle: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle) && Number(name) !== process.pid) pids.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

/** The executable's name of a process ('ffmpeg', 'sh', 'node'), or null once it is gone. */
export function commOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // a zombie still answers kill 0; it holds nothing
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits (polling a condition, no fixed sleep) until `check` is true; throws `what` after the timeout. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
