// `smashsight split`: scan, deal, then build the whole layout in a temp sibling and rename it into
// place, so the output is either the old one or the complete new one.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import { overlap } from './paths.ts';
import { maskPathFor } from './naming.ts';
import { pidAlive, removeOnInterrupt, removeStaleTemps, tempNameFor, tempPid } from '../kit/temp-files.ts';
import { scanImages } from './scan.ts';
import { readSessions } from './sessions.ts';
import { MANIFEST_FILE, type SplitManifest } from './manifest.ts';
import { SPLITS, assignSplits, countsByClass, countsTable, validatePercentages, type Assignment, type GroupField, type Percentages } from './split.ts';

export interface SplitCommandOptions {
  in: string;
  out: string;
  seed: number;
  percent: Percentages;
  groupBy?: GroupField;
  copy: boolean;
  force: boolean;
  skipBad: boolean;
  checkJpeg: boolean;
}

export async function runSplit(o: SplitCommandOptions, log: (line: string) => void = console.log): Promise<Assignment> {
  validatePercentages(o.percent);
  const out = path.resolve(o.out);
  // Checked on real paths, both ways: --force replaces --out whole, so an --out that holds --in
  // would delete the frames it is about to split.
  const rel = overlap(o.in, out);
  if (rel === 'same') throw new UserError(`--out ${o.out}: is the --in folder itself`);
  if (rel === 'b-in-a') throw new UserError(`--out ${o.out}: is inside --in ${o.in}; choose a folder outside it`);
  if (rel === 'a-in-b') throw new UserError(`--out ${o.out}: holds --in ${o.in} (replacing it would delete the frames); choose a folder outside it`);
  await clearStale(out, log);
  if (!o.force && (await nonEmpty(out))) throw new UserError(`${o.out}: output folder is not empty (pass --force to replace it)`);

  const scan = await scanImages(o.in, { skipBad: o.skipBad, checkJpeg: o.checkJpeg });
  for (const b of scan.bad) log(`skipped ${b.path}: ${b.reason}`);
  if (scan.debris.length > 0) log(`ignored ${scan.debris.length} temp file(s) of an interrupted run, e.g. ${scan.debris[0]}`);
  if (scan.items.length === 0) throw new UserError(`${o.in}: no frames found under <character>/*.jpg`);
  const sessions = o.groupBy === 'session' ? readSessions(o.in, new Set(scan.items.map((i) => i.name.character))) : undefined;
  const assignment = assignSplits(scan.items, { seed: o.seed, percent: o.percent, groupBy: o.groupBy, sessions });

  const tmp = tempNameFor(out);
  await fs.rm(tmp, { recursive: true, force: true });
  const untrack = removeOnInterrupt(tmp); // Ctrl-C while linking leaves no <out>.tmp-<pid>
  try {
    const { mode, masks } = await placeFiles(assignment, tmp, o.copy);
    const manifest: SplitManifest = { seed: o.seed, percent: o.percent, groupBy: o.groupBy ?? null, files: mode, source: path.resolve(o.in) };
    await fs.writeFile(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await swapInto(tmp, out);
    log(
      `${o.out}: ${mode === 'link' ? 'hard-linked' : 'copied'} ${SPLITS.map((s) => `${assignment[s].length} ${s}`).join(', ')}${masks ? `, and ${masks} figure masks (masks/ beside images/)` : ''}`,
    );
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    untrack();
  }
  log(countsTable(assignment));
  for (const [character, row] of countsByClass(assignment)) {
    const empty = SPLITS.filter((s) => o.percent[s] > 0 && row[s] === 0);
    if (empty.length) log(`note: class ${character} has no frames in ${empty.join(', ')}`);
  }
  return assignment;
}

async function nonEmpty(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UserError(`${dir}: exists and is not a readable folder`);
  }
}

/**
 * Hard links unless asked to copy; falls back to copying when linking can't cross devices. A
 * frame's figure mask (`masks/<class>/<frame>.png` beside `images/`, as `synth --masks` and the
 * seed write them) goes along into the same split, where it exists.
 */
async function placeFiles(a: Assignment, root: string, copy: boolean): Promise<{ mode: 'link' | 'copy'; masks: number }> {
  let mode: 'link' | 'copy' = copy ? 'copy' : 'link';
  let masks = 0;
  const total = SPLITS.reduce((n, s) => n + a[s].length, 0);
  const progress = createProgress(copy ? 'copying frames' : 'linking frames', total);
  const made = new Set<string>();
  const place = async (from: string, dest: string): Promise<void> => {
    const dir = path.dirname(dest);
    if (!made.has(dir)) fsSync.mkdirSync(dir, { recursive: true }); // sync: none in flight when Ctrl-C removes the temp tree
    made.add(dir);
    if (mode === 'link') {
      try {
        await fs.link(from, dest);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
        mode = 'copy';
      }
    }
    if (mode === 'copy') await fs.copyFile(from, dest);
  };
  for (const s of SPLITS) {
    for (const item of a[s]) {
      const dest = path.join(root, s, 'images', item.name.character, path.basename(item.path));
      await place(item.path, dest);
      const mask = maskPathFor(item.path);
      if (fsSync.existsSync(mask)) {
        await place(mask, maskPathFor(dest));
        masks++;
      }
      progress.tick();
    }
  }
  progress.done();
  return { mode, masks };
}

/**
 * What a run killed outright (kill -9, a power cut) left beside `out`: its `<out>.tmp-<pid>` (the
 * new output half made: links or copies of frames still in --in) is removed; an `<out>.old-<pid>`
 * (the previous output) is put back when `out` is missing, and otherwise left alone with a note:
 * a folder of that name might be a backup of someone's, and split never deletes what it can't redo.
 */
async function clearStale(out: string, log: (line: string) => void): Promise<void> {
  const base = path.basename(out);
  const parent = path.dirname(out);
  const deadPid = (name: string, kind: 'tmp' | 'old'): number | null => {
    if (!name.startsWith(`${base}.${kind}-`) || !/^\d+$/.test(name.slice(base.length + kind.length + 2))) return null;
    const pid = tempPid(name);
    return pid !== null && !pidAlive(pid) ? pid : null;
  };
  const olds = (await fs.readdir(parent).catch(() => [] as string[])).filter((n) => deadPid(n, 'old') !== null);
  if (olds.length > 0 && !(await exists(out))) {
    await fs.rename(path.join(parent, olds[0]!), out);
    log(`${out}: put back the previous output from ${olds[0]} (left by an interrupted split)`);
  } else {
    for (const n of olds) log(`note: ${path.join(parent, n)} looks like the previous output of an interrupted split; delete it if you don't need it`);
  }
  for (const p of await removeStaleTemps(parent, (n) => deadPid(n, 'tmp'))) log(`removed ${p} (left by an interrupted split)`);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Two renames with no await between them, so a signal cannot land between them. */
async function swapInto(tmp: string, out: string): Promise<void> {
  const old = `${out}.old-${process.pid}`;
  let moved = false;
  try {
    fsSync.renameSync(out, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    fsSync.renameSync(tmp, out);
  } catch (err) {
    if (moved) fsSync.renameSync(old, out); // put the previous output back
    throw err;
  }
  if (!moved) return;
  const untrack = removeOnInterrupt(old);
  await fs.rm(old, { recursive: true, force: true });
  untrack();
}
