// Temp files and folders a run makes (`<file>.tmp-<pid>`, `<out>.tmp-<pid>`, `ss-backbone-<pid>-*`):
// removed when the run is interrupted (SIGINT, SIGTERM) and, should it die harder than that
// (kill -9, a power cut), by the next run, which removes those whose process is gone.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

type Kind = 'tree' | 'empty-dir';
const tracked = new Map<string, Kind>();
let installed = false;

function removeTracked(): void {
  for (const [p, kind] of tracked) {
    if (kind === 'empty-dir') {
      try {
        fs.rmdirSync(p); // only while still empty: never a finished package
      } catch {
        // already gone, or no longer empty: not ours to remove
      }
      continue;
    }
    // A write, link or copy still running in the thread pool can add a file as the tree goes
    // (rmdir: ENOTEMPTY); no JS runs meanwhile, so once it lands, the next try removes it.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        fs.rmSync(p, { recursive: true, force: true });
        break;
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }
  tracked.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeTracked();
  // Nobody else handles it (no command that stops gracefully): die of it as if we weren't here.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
    // The signal lands a moment later: run no more JS meanwhile (it would make again what was
    // just removed, e.g. split's next folder). Block until it does; exit as it would have if not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  }
}

/**
 * Handles SIGINT/SIGTERM in JS (between event-loop steps, never inside synchronous code), removing
 * what is tracked before dying of the signal. Called by removeOnInterrupt; call it directly when a
 * command's temp files only ever exist inside one synchronous step (write + rename).
 */
export function catchInterrupts(): void {
  install();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', removeTracked);
}

/**
 * Removes `p` (a file or a folder tree; with 'empty-dir' only a still-empty folder) if the process
 * is interrupted or exits before the returned function is called (call it once `p` is renamed
 * into place or removed).
 */
export function removeOnInterrupt(p: string, kind: Kind = 'tree'): () => void {
  install();
  const abs = path.resolve(p);
  tracked.set(abs, kind);
  return () => {
    tracked.delete(abs);
  };
}

/** The temp name a run writes `target` under before renaming it into place. */
export function tempNameFor(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

const TEMP_RE = /\.(?:tmp|old)-(\d+)$/;

/** The pid in a `*.tmp-<pid>` / `*.old-<pid>` name, or null when the name is not one. */
export function tempPid(name: string): number | null {
  const m = TEMP_RE.exec(name);
  return m ? Number(m[1]) : null;
}

/** True while a process with this id exists (ours or anyone's). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` that `pidOf` gives the pid of a process that no longer exists
 * (by default `*.tmp-<pid>` names). Returns the paths removed; a missing `dir` removes nothing.
 */
export async function removeStaleTemps(
  dir: string,
  pidOf: (name: string) => number | null = (n) => (n.includes('.tmp-') ? tempPid(n) : null),
): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pidOf(name);
    if (pid === null || pidAlive(pid)) continue;
    const full = path.join(dir, name);
    await fsp.rm(full, { recursive: true, force: true });
    removed.push(full);
  }
  return removed;
}
