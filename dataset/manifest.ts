// split.json: what `split` did, written beside train/valid/test so every figure measured on those
// folders can say which split produced it (a random split tests known scenes; a split by stage or
// session tests scenes or days the model never saw).
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { GROUP_FIELDS, type GroupField, type Percentages } from './split.ts';

export const MANIFEST_FILE = 'split.json';

export interface SplitManifest {
  seed: number;
  percent: Percentages;
  groupBy: GroupField | null;
  files: 'link' | 'copy';
  source: string;
}

/** How the frames were split, as figures quote it. */
export interface SplitProvenance {
  by: 'random' | GroupField;
  seed: number;
  percent: Percentages;
}

export function provenanceOf(m: SplitManifest): SplitProvenance {
  return { by: m.groupBy ?? 'random', seed: m.seed, percent: { ...m.percent } };
}

/** The split behind a data folder (the one holding train/valid/test); null when made by hand. */
export function readSplitProvenance(dataDir: string): SplitProvenance | null {
  const file = path.join(dataDir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const m = raw as Partial<SplitManifest>;
  const groupOk = m.groupBy === null || m.groupBy === undefined || (GROUP_FIELDS as readonly string[]).includes(m.groupBy);
  if (typeof m.seed !== 'number' || typeof m.percent !== 'object' || m.percent === null || !groupOk) {
    throw new UserError(`${file}: not a split manifest (expected seed, percent and groupBy as \`split\` writes them)`);
  }
  return provenanceOf(m as SplitManifest);
}

/** One line: "by stage (seed 1, 80/10/10): test stages were never trained on". */
export function describeSplit(p: SplitProvenance | null): string {
  if (!p) return 'unknown split (no split.json: folders made by hand)';
  const shares = `seed ${p.seed}, ${p.percent.train}/${p.percent.valid}/${p.percent.test}`;
  if (p.by === 'random') return `random split (${shares}): test frames share scenes and sessions with training`;
  return `split by ${p.by} (${shares}): no ${p.by} of the test split is in training`;
}
