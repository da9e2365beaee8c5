// Folder relations checked on real paths (symlinks and `..` resolved), for commands that replace a
// folder: an output that holds its input, or an input that holds its output, must never be swapped.
import fs from 'node:fs';
import { UserError } from '../kit/errors.ts';
import path from 'node:path';

/** The real path of `p`, resolving the part that exists (an output folder need not exist yet). */
export function realPathLoose(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...rest.reverse());
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return abs;
      rest.push(path.basename(cur));
      cur = up;
    }
  }
}

/** True when `inner` is `outer` or lies anywhere under it (both compared as real paths). */
export function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(realPathLoose(outer), realPathLoose(inner));
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** How two folders overlap: 'same', 'a-in-b', 'b-in-a' or null when neither holds the other. */
export function overlap(a: string, b: string): 'same' | 'a-in-b' | 'b-in-a' | null {
  const aInB = isWithin(a, b);
  const bInA = isWithin(b, a);
  if (aInB && bInA) return 'same';
  return aInB ? 'a-in-b' : bInA ? 'b-in-a' : null;
}

/**
 * Checks, before any work, that `dir` is a folder we can write into or one we can make: the path
 * that exists nearest to it must be a writable folder, not a file. Throws a UserError starting with `what` (e.g. `--out data/images`).
 */
export function checkWritableFolder(dir: string, what: string): void {
  let cur = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        cur = path.dirname(cur); // a file further up: found on the way there
        continue;
      }
      if (code !== 'ENOENT') throw new UserError(`${what}: cannot use ${cur} (${code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new UserError(`${what}: ${cur} is a file, not a folder`);
      try {
        fs.accessSync(cur, fs.constants.W_OK);
      } catch {
        throw new UserError(`${what}: ${cur} is not writable`);
      }
      return;
    }
    const up = path.dirname(cur);
    if (up === cur) return;
    cur = up;
  }
}
