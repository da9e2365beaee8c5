// The notebook's `make keras`: deal frames into train/valid/test, deterministically for a seed.
// Without --group-by each class is shuffled and cut by percentage; with it whole groups (a stage,
// a capture session…) are dealt, so near-identical neighbouring frames never straddle splits.
import { Rng, hashKey } from '../kit/rng.ts';
import { UserError } from '../kit/errors.ts';
import type { FrameName } from './naming.ts';
import { sessionKey, type SessionIndex } from './sessions.ts';

export const SPLITS = ['train', 'valid', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];
export const GROUP_FIELDS = ['stage', 'color', 'orientation', 'character', 'session'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export interface SplitItem {
  path: string;
  name: FrameName;
}
export type Percentages = Record<SplitName, number>;
export type Assignment = Record<SplitName, SplitItem[]>;

export function validatePercentages(p: Percentages): Percentages {
  for (const s of SPLITS) {
    if (!Number.isFinite(p[s]) || p[s] < 0 || p[s] > 100) throw new UserError(`--${s} ${p[s]}: must be a number from 0 to 100`);
  }
  const sum = p.train + p.valid + p.test;
  if (Math.abs(sum - 100) > 1e-9) throw new UserError(`--train + --valid + --test = ${sum}: must add up to 100`);
  if (p.train === 0) throw new UserError('--train 0: the train split cannot be empty');
  return p;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rng = new Rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Split sizes for n items: floor each share, then hand leftovers to the largest remainders. */
export function shares(n: number, p: Percentages): Record<SplitName, number> {
  const exact = SPLITS.map((s) => (n * p[s]) / 100);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = SPLITS.map((_, i) => i).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  for (const i of order) if (left-- > 0) counts[i]!++;
  return { train: counts[0]!, valid: counts[1]!, test: counts[2]! };
}

const byPath = (a: SplitItem, b: SplitItem): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function assignSplits(
  items: readonly SplitItem[],
  opts: { seed: number; percent: Percentages; groupBy?: GroupField; sessions?: SessionIndex },
): Assignment {
  const out: Assignment = { train: [], valid: [], test: [] };
  if (opts.groupBy) {
    const field = opts.groupBy;
    const keyOf = (it: SplitItem): string => (field === 'session' ? sessionKey(it.name, opts.sessions) : String(it.name[field]));
    const groups = new Map<string, SplitItem[]>();
    for (const it of items) groups.set(keyOf(it), [...(groups.get(keyOf(it)) ?? []), it]);
    const target = (s: SplitName): number => (items.length * opts.percent[s]) / 100;
    // Deal shuffled groups one by one to the split furthest below its target size.
    for (const key of shuffled([...groups.keys()].sort(), opts.seed)) {
      const open = SPLITS.filter((s) => opts.percent[s] > 0);
      const s = open.reduce((best, cur) => (target(cur) - out[cur].length > target(best) - out[best].length ? cur : best));
      out[s].push(...groups.get(key)!);
    }
  } else {
    const classes = new Map<string, SplitItem[]>();
    for (const it of items) classes.set(it.name.character, [...(classes.get(it.name.character) ?? []), it]);
    for (const [character, list] of classes) {
      // Seeded per class, so adding a class leaves the others' splits unchanged.
      const order = shuffled(list.slice().sort(byPath), hashKey(opts.seed, character));
      const n = shares(order.length, opts.percent);
      out.train.push(...order.slice(0, n.train));
      out.valid.push(...order.slice(n.train, n.train + n.valid));
      out.test.push(...order.slice(n.train + n.valid));
    }
  }
  for (const s of SPLITS) out[s].sort(byPath);
  return out;
}

export function countsByClass(a: Assignment): Map<string, Record<SplitName, number>> {
  const counts = new Map<string, Record<SplitName, number>>();
  for (const s of SPLITS) {
    for (const it of a[s]) {
      const row = counts.get(it.name.character) ?? { train: 0, valid: 0, test: 0 };
      row[s]++;
      counts.set(it.name.character, row);
    }
  }
  return new Map([...counts].sort(([x], [y]) => (x < y ? -1 : 1)));
}

export function countsTable(a: Assignment): string {
  const rows = [...countsByClass(a)].map(([c, r]) => [c, r.train, r.valid, r.test, r.train + r.valid + r.test]);
  const total = SPLITS.map((s) => a[s].length);
  const all: (string | number)[][] = [['class', ...SPLITS, 'total'], ...rows, ['total', ...total, total.reduce((x, y) => x + y, 0)]];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  return all.map((r) => r.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]!) : String(v).padStart(widths[i]!))).join('  ')).join('\n');
}
