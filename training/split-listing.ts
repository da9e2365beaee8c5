// Lists one split of the Keras layout (`<data>/<split>/images/<class>/*.jpg`) the way Keras'
// flow_from_directory does: classes are the sorted folder names, files sorted within a class.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseFrameName } from '../dataset/naming.ts';
import { UserError } from '../kit/errors.ts';
import { labelsProblem } from '../engine/package.ts';

export interface SplitItem {
  path: string;
  label: number;
}

export interface SplitListing {
  dir: string;
  classes: string[];
  items: SplitItem[];
  counts: Record<string, number>;
}

const IMAGE_RE = /\.(jpe?g|png)$/i;

/** The folder holding a split's class folders; accepts both `<data>/<split>/images` and `<data>/<split>`. */
export async function splitDir(data: string, split: string): Promise<string> {
  const withImages = path.join(data, split, 'images');
  if (await isDir(withImages)) return withImages;
  const plain = path.join(data, split);
  if (await isDir(plain)) return plain;
  throw new UserError(`${withImages}: split folder not found`);
}

/** The data folder (the one holding train/valid/test and split.json) a split folder belongs to. */
export function dataRootOf(splitFolder: string): string {
  const up = path.dirname(path.resolve(splitFolder));
  return path.basename(path.resolve(splitFolder)) === 'images' ? path.dirname(up) : up;
}

/** Class folder names under a split folder, sorted. */
export async function classFolders(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Lists a split. `classes` fixes the label order (the train split's); without it the split's own
 * folders define it. Throws UserError for an empty class folder, a class folder unknown to
 * `classes`, or a split with no images.
 */
export async function listSplit(dir: string, classes?: string[]): Promise<SplitListing> {
  const folders = await classFolders(dir);
  const order = classes ?? folders;
  const problem = classes ? null : labelsProblem(folders);
  if (problem) throw new UserError(`${dir}: class folders: ${problem}`); // the package's labels.json would be refused
  const items: SplitItem[] = [];
  const counts: Record<string, number> = {};
  for (const name of folders) {
    const label = order.indexOf(name);
    const folder = path.join(dir, name);
    if (label < 0) throw new UserError(`${folder}: class '${name}' is not among the training classes (${order.join(', ')})`);
    const files = (await fs.readdir(folder)).filter((f) => IMAGE_RE.test(f)).sort();
    if (files.length === 0) throw new UserError(`${folder}: empty class folder (no .jpg/.png images)`);
    counts[name] = files.length;
    for (const f of files) items.push({ path: path.join(folder, f), label });
  }
  if (items.length === 0) throw new UserError(`${dir}: split has no images (expected <class>/*.jpg folders)`);
  return { dir, classes: order, items, counts };
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export interface Splits {
  train: SplitListing;
  valid: SplitListing;
  test: SplitListing;
}

/** Classes of `train` with no images in `other`. */
export function missingClasses(train: SplitListing, other: SplitListing): string[] {
  return train.classes.filter((c) => !other.counts[c]);
}

/**
 * The three splits, label order fixed by the train split's class folders. A class that training
 * has but valid or test lacks is allowed (a small split may miss one) but warned about: val_loss,
 * early stopping and the test figures never see it.
 */
export async function listSplits(data: string, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<Splits> {
  const train = await listSplit(await splitDir(data, 'train'));
  const valid = await listSplit(await splitDir(data, 'valid'), train.classes);
  const test = await listSplit(await splitDir(data, 'test'), train.classes);
  const effect = { valid: 'validation (val_loss, early stopping) never sees it', test: 'the test figures do not measure it' };
  for (const [name, split] of [
    ['valid', valid],
    ['test', test],
  ] as const) {
    const missing = missingClasses(train, split);
    if (missing.length > 0) {
      warn(`warning: ${split.dir}: no images of class ${missing.map((c) => `${c} (${train.counts[c]} in train)`).join(', ')}: ${effect[name]}`);
    }
  }
  return { train, valid, test };
}

/**
 * Frames must carry the notebook's name (what `capture` and `synth` write, what `split` checks):
 * a badly named one stops training, naming it, unless `skipBad` leaves such files out (reported).
 */
export function checkFrameNames(splits: Splits, skipBad: boolean, log: (line: string) => void): Splits {
  const keep = (listing: SplitListing): SplitListing => {
    const bad: string[] = [];
    const items = listing.items.filter((i) => {
      try {
        parseFrameName(i.path);
        return true;
      } catch (err) {
        if (!skipBad) throw new UserError(`${(err as Error).message} (or --skip-bad to leave such files out)`);
        bad.push(i.path);
        return false;
      }
    });
    if (bad.length === 0) return listing;
    for (const b of bad) log(`skipping ${b}: not named <character>_<color>_<stage>_<orientation>_bg_on_<NNN>.jpg`);
    if (items.length === 0) throw new UserError(`${listing.dir}: no correctly named images left`);
    const counts: Record<string, number> = {};
    for (const i of items) counts[listing.classes[i.label]!] = (counts[listing.classes[i.label]!] ?? 0) + 1;
    return { ...listing, items, counts };
  };
  return { train: keep(splits.train), valid: keep(splits.valid), test: keep(splits.test) };
}
