// Finds every frame under <dir>/<character>/*.jpg, checks names (and optionally that each JPEG
// decodes completely), and reports every problem with its path before anything is written.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import { RESERVED_CLASS, parseFrameName, type FrameName } from './naming.ts';

export interface ScanResult {
  items: { path: string; name: FrameName }[];
  bad: { path: string; reason: string }[];
  /** `*.tmp-<pid>` files of a run that was writing frames (synth): not frames, left out. */
  debris: string[];
}

const DECODE_CONCURRENCY = 4;
const MAX_LISTED = 20;

export async function scanImages(dir: string, opts: { skipBad: boolean; checkJpeg: boolean }): Promise<ScanResult> {
  const result: ScanResult = { items: [], bad: [], debris: [] };
  const entries = await readDirOrFail(dir);
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (!entry.isDirectory()) {
      result.bad.push({ path: full, reason: 'not inside a <character>/ folder' });
      continue;
    }
    const twin = folders.find((f) => f !== entry.name && f.toLowerCase() === entry.name.toLowerCase());
    if (twin !== undefined) {
      result.bad.push({ path: full, reason: `class folder '${entry.name}' differs from '${twin}' only in case: merge them (classes are lower case)` });
      continue;
    }
    if (entry.name === RESERVED_CLASS) {
      result.bad.push({ path: full, reason: `'${RESERVED_CLASS}' is reserved (the label shown when no class is confident): rename the folder` });
      continue;
    }
    for (const file of (await fs.readdir(full, { withFileTypes: true })).map((f) => f.name).sort()) {
      if (file.startsWith('.') || file.endsWith('.jsonl')) continue; // hidden files, capture sidecars
      if (/\.jpg\.tmp-\d+$/.test(file)) {
        result.debris.push(path.join(full, file)); // a frame being written, or one an interrupted run left
        continue;
      }
      checkName(path.join(full, file), entry.name, result);
    }
  }
  result.items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (opts.checkJpeg) await checkJpegs(result);
  if (result.bad.length > 0 && !opts.skipBad) throw new UserError(badReport(dir, result.bad));
  return result;
}

export function badReport(dir: string, bad: ScanResult['bad']): string {
  const lines = bad.slice(0, MAX_LISTED).map((b) => `  ${b.path}: ${b.reason}`);
  if (bad.length > MAX_LISTED) lines.push(`  … and ${bad.length - MAX_LISTED} more`);
  return `${dir}: ${bad.length} bad file(s), nothing written (fix them or pass --skip-bad):\n${lines.join('\n')}`;
}

async function readDirOrFail(dir: string) {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    throw new UserError(`${dir}: not a readable folder of <character>/ image folders`);
  }
}

function checkName(file: string, folder: string, result: ScanResult): void {
  try {
    const name = parseFrameName(file);
    if (name.character !== folder) {
      result.bad.push({ path: file, reason: `character '${name.character}' is in folder '${folder}'` });
    } else {
      result.items.push({ path: file, name });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    result.bad.push({ path: file, reason: message.startsWith(file) ? message.slice(file.length + 2) : message });
  }
}

/** Decodes every pixel: a truncated JPEG only shows itself at the end of decoding. */
async function checkJpegs(result: ScanResult): Promise<void> {
  const { default: sharp } = await import('sharp');
  const problem = async (file: string): Promise<string | null> => {
    try {
      await sharp(file, { failOn: 'truncated' }).raw().toBuffer();
      return null;
    } catch (err) {
      return `corrupt JPEG: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
    }
  };
  const progress = createProgress('checking JPEGs', result.items.length);
  const verdicts = new Array<string | null>(result.items.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < result.items.length) {
      const i = next++;
      verdicts[i] = await problem(result.items[i]!.path);
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: DECODE_CONCURRENCY }, worker));
  progress.done();
  // libvips' error text is per thread and can come back as "Unknown error" under concurrent
  // decodes: decode the few failures again, one at a time, for the real reason.
  for (let i = 0; i < verdicts.length; i++) {
    if (verdicts[i] !== null) verdicts[i] = await problem(result.items[i]!.path);
  }
  const ok: ScanResult['items'] = [];
  result.items.forEach((item, i) => {
    const reason = verdicts[i];
    if (reason) result.bad.push({ path: item.path, reason });
    else ok.push(item);
  });
  result.items = ok;
}
