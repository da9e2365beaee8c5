// The notebook's `make keras`: deal frames into train/valid/test, deterministically for a seed.
// Without --group-by each class is shuffled and cut by percentage, rounded over the whole split;
// with it whole groups (a stage, a capture session…) are dealt, so near-identical neighbouring
// frames never straddle splits.
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

/**
 * Per-class split sizes that add up to the whole split's `shares`: rounding each class on its own
 * starves small splits (3 classes of 16 frames at 33/33/34 gave 15/15/18). Each class gets its
 * floor in every split plus at most one more frame where its remainder is above zero; which
 * classes round up is chosen largest remainder first, then moved along augmenting paths until
 * every split has its whole-split size. Ties go by a seeded hash of the class, so no class is
 * always the one rounded down.
 */
export function classShares(sizes: ReadonlyMap<string, number>, p: Percentages, seed: number): Map<string, Record<SplitName, number>> {
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const need = shares(total, p);
  const out = new Map<string, Record<SplitName, number>>();
  const left = new Map<string, number>();
  const frac = new Map<string, Record<SplitName, number>>();
  const up = new Map<string, Set<SplitName>>(); // the splits a class rounds up in
  for (const [c, n] of sizes) {
    const row = { train: 0, valid: 0, test: 0 };
    const f = { train: 0, valid: 0, test: 0 };
    for (const s of SPLITS) {
      const exact = (n * p[s]) / 100;
      row[s] = Math.floor(exact);
      f[s] = exact - row[s];
      need[s] -= row[s];
    }
    out.set(c, row);
    frac.set(c, f);
    up.set(c, new Set());
    left.set(c, n - row.train - row.valid - row.test);
  }
  const tie = (c: string): number => hashKey(seed, c);
  const classes = [...sizes.keys()].sort((a, b) => tie(a) - tie(b) || (a < b ? -1 : 1));
  const may = (c: string, s: SplitName): boolean => p[s] > 0 && frac.get(c)![s] > 1e-9 && !up.get(c)!.has(s);
  const candidates = classes.flatMap((c) => SPLITS.map((s) => ({ c, s, f: frac.get(c)![s] })));
  candidates.sort((a, b) => b.f - a.f || classes.indexOf(a.c) - classes.indexOf(b.c) || SPLITS.indexOf(a.s) - SPLITS.indexOf(b.s));
  for (const { c, s } of candidates) {
    if (left.get(c)! > 0 && need[s] > 0 && may(c, s)) {
      up.get(c)!.add(s);
      left.set(c, left.get(c)! - 1);
      need[s]--;
    }
  }
  // Greedy can leave a class with a frame and only full splits to round up in: move another
  // class's extra frame along (c → s1, c1 leaves s1 for s2, …) until a split with room is reached.
  for (const c of classes) {
    while (left.get(c)! > 0) {
      const path = augmentingPath(c, classes, up, may, need);
      if (!path) break;
      let cur = c;
      for (const [s, next] of path) {
        up.get(cur)!.add(s);
        if (next !== null) up.get(next)!.delete(s);
        else need[s]--;
        cur = next ?? cur;
      }
      left.set(c, left.get(c)! - 1);
    }
  }
  for (const [c, set] of up) for (const s of set) out.get(c)![s]++;
  // Whatever could not be placed within one frame of its share (not expected): any split with room.
  for (const c of classes) {
    for (const s of SPLITS) {
      while (left.get(c)! > 0 && need[s] > 0) {
        out.get(c)![s]++;
        left.set(c, left.get(c)! - 1);
        need[s]--;
      }
    }
  }
  return out;
}

/** Breadth-first: steps [split, class that gives that split up (null: the split has room)]. */
function augmentingPath(
  from: string,
  classes: string[],
  up: Map<string, Set<SplitName>>,
  may: (c: string, s: SplitName) => boolean,
  need: Record<SplitName, number>,
): [SplitName, string | null][] | null {
  const seen = new Set<SplitName>();
  const queue: { c: string; path: [SplitName, string | null][] }[] = [{ c: from, path: [] }];
  while (queue.length > 0) {
    const { c, path } = queue.shift()!;
    for (const s of SPLITS) {
      if (seen.has(s) || !may(c, s)) continue;
      seen.add(s);
      if (need[s] > 0) return [...path, [s, null]];
      for (const holder of classes) if (holder !== from && up.get(holder)!.has(s)) queue.push({ c: holder, path: [...path, [s, holder]] });
    }
  }
  return null;
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
    const sizes = classShares(new Map([...classes].map(([c, list]) => [c, list.length])), opts.percent, opts.seed);
    for (const [character, list] of classes) {
      // Shuffled per class with its own seed, so adding a class moves another class's cut by one
      // frame at most (its share of the rounding), never reshuffles it.
      const order = shuffled(list.slice().sort(byPath), hashKey(opts.seed, character));
      const n = sizes.get(character)!;
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
