import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeSplit, readSplitProvenance } from '../dataset/manifest.ts';
import { formatFrameName, mirroredFacing, parseFrameName, parseLabel } from '../dataset/naming.ts';
import { scanImages } from '../dataset/scan.ts';
import { SESSIONS_FILE } from '../dataset/sessions.ts';
import { SPLITS, classShares, countsByClass, shares, type Assignment } from '../dataset/split.ts';
import { runSplit, type SplitCommandOptions } from '../dataset/split-write.ts';

const repo = path.resolve(import.meta.dirname, '..');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));

describe('frame names', () => {
  it('parses and formats the notebook naming', () => {
    const n = parseFrameName('data/images/fox/fox_red_battlefield_left_bg_on_007.jpg');
    expect(n).toEqual({ character: 'fox', color: 'red', stage: 'battlefield', orientation: 'left', number: 7 });
    expect(formatFrameName(n)).toBe('fox_red_battlefield_left_bg_on_007.jpg');
    expect(parseFrameName('falcon_default_yoshis_right_bg_on_1234.jpg').number).toBe(1234);
    expect(formatFrameName({ ...n, number: 1234 })).toBe('fox_red_battlefield_left_bg_on_1234.jpg');
  });

  it.each([
    ['fox_red_battlefield_bg_on_001.jpg', /does not match/],
    ['fox_red_battlefield_left_001.jpg', /does not match/],
    ['fox_red_battlefield_left_bg_on_01.jpg', /does not match/],
    ['fox_red_battlefield_left_bg_on_001.png', /does not match/],
    ['fox_red_battle_field_left_bg_on_001.jpg', /does not match/],
  ])('reports %s with its path and reason', (name, why) => {
    const file = `/data/fox/${name}`;
    expect(() => parseFrameName(file)).toThrow(why);
    expect(() => parseFrameName(file)).toThrow(file);
  });

  it('accepts any token as a facing, as the notebook did; only left/right swap when mirrored', () => {
    expect(parseFrameName('tux_default_trail_na_bg_on_001.jpg')).toEqual({ character: 'tux', color: 'default', stage: 'trail', orientation: 'na', number: 1 });
    expect(parseFrameName('fox_red_battlefield_up_bg_on_001.jpg').orientation).toBe('up');
    expect(parseLabel('sarge_red_dm1_na')).toEqual({ character: 'sarge', color: 'red', stage: 'dm1', orientation: 'na' });
    expect(parseLabel('fox_red_battlefield_down').orientation).toBe('down');
    expect(['left', 'right', 'na', 'up'].map(mirroredFacing)).toEqual(['right', 'left', 'na', 'up']);
  });

  it('validates capture labels', () => {
    expect(parseLabel('fox_red_battlefield_left')).toEqual({ character: 'fox', color: 'red', stage: 'battlefield', orientation: 'left' });
    for (const bad of ['fox_red_battlefield', 'fox_red_battlefield_left_x', 'fox__battlefield_left', 'fox red_x_y_left']) {
      expect(() => parseLabel(bad)).toThrow(/--label/);
    }
  });
});

/** 2 characters × 2 colors × 2 stages × 2 orientations × 5 frames = 80 tiny real JPEGs. */
let jpeg: Buffer;
function makeDataset(dir: string): string[] {
  const files: string[] = [];
  for (const character of ['fox', 'marth']) {
    fs.mkdirSync(path.join(dir, character), { recursive: true });
    for (const color of ['red', 'blue'])
      for (const stage of ['battlefield', 'yoshis'])
        for (const orientation of ['left', 'right'])
          for (let number = 1; number <= 5; number++) {
            const file = path.join(dir, character, formatFrameName({ character, color, stage, orientation, number }));
            fs.writeFileSync(file, jpeg);
            files.push(file);
          }
  }
  return files;
}

const baseOptions = (input: string, out: string): SplitCommandOptions => ({
  in: input,
  out,
  seed: 1,
  percent: { train: 80, valid: 10, test: 10 },
  copy: false,
  force: false,
  skipBad: false,
  checkJpeg: true,
});
const quiet = (): void => {};
const listing = (a: Assignment): string[][] => SPLITS.map((s) => a[s].map((i) => path.basename(i.path)));

function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.jpg')).sort();
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'smashsight.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('split', () => {
  let input: string;
  let all: string[];
  beforeAll(async () => {
    jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } })
      .jpeg()
      .toBuffer();
    input = path.join(tmp(), 'images');
    all = makeDataset(input);
  });

  it('is deterministic for a seed, disjoint, complete, and cut by percentage per class', async () => {
    const root = tmp();
    const a = await runSplit(baseOptions(input, path.join(root, 'a')), quiet);
    const b = await runSplit(baseOptions(input, path.join(root, 'b')), quiet);
    const c = await runSplit({ ...baseOptions(input, path.join(root, 'c')), seed: 2 }, quiet);
    expect(listing(a)).toEqual(listing(b));
    expect(listing(c)).not.toEqual(listing(a));
    expect(tree(path.join(root, 'a'))).toEqual(tree(path.join(root, 'b')));

    const names = listing(a).flat();
    expect(new Set(names).size).toBe(all.length); // each frame once: disjoint and complete
    for (const character of ['fox', 'marth']) {
      const per = SPLITS.map((s) => a[s].filter((i) => i.name.character === character).length);
      expect(per).toEqual([32, 4, 4]);
      for (const s of SPLITS) {
        expect(fs.readdirSync(path.join(root, 'a', s, 'images', character))).toHaveLength(per[SPLITS.indexOf(s)]!);
      }
    }
    // hard links by default, copies with --copy
    const linked = path.join(root, 'a', 'train', 'images', a.train[0]!.name.character, path.basename(a.train[0]!.path));
    expect(fs.statSync(linked).ino).toBe(fs.statSync(a.train[0]!.path).ino);
    await runSplit({ ...baseOptions(input, path.join(root, 'd')), copy: true }, quiet);
    const copied = path.join(root, 'd', 'train', 'images', a.train[0]!.name.character, path.basename(a.train[0]!.path));
    expect(fs.statSync(copied).ino).not.toBe(fs.statSync(a.train[0]!.path).ino);
  });

  it('shares always add up and follow the percentages', () => {
    expect(shares(10, { train: 80, valid: 10, test: 10 })).toEqual({ train: 8, valid: 1, test: 1 });
    expect(shares(7, { train: 34, valid: 33, test: 33 })).toEqual({ train: 3, valid: 2, test: 2 });
    expect(shares(3, { train: 100, valid: 0, test: 0 })).toEqual({ train: 3, valid: 0, test: 0 });
  });

  it('rounds over the whole split, not per class, so small splits are not starved', async () => {
    // the cases: 3 classes x 16 frames. Per class, 33/33/34 made 15/15/18 and 80/10/10 made 39/6/3.
    const root = tmp();
    const input = path.join(root, 'images');
    for (const character of ['fox', 'marth', 'peach']) {
      fs.mkdirSync(path.join(input, character), { recursive: true });
      for (let number = 1; number <= 16; number++)
        fs.writeFileSync(path.join(input, character, formatFrameName({ character, color: 'red', stage: 'yoshis', orientation: 'left', number })), jpeg);
    }
    const totals = (a: Assignment): number[] => SPLITS.map((sp) => a[sp].length);
    for (const [percent, want] of [
      [{ train: 33, valid: 33, test: 34 }, [16, 16, 16]],
      [{ train: 80, valid: 10, test: 10 }, [38, 5, 5]],
      [{ train: 70, valid: 15, test: 15 }, [34, 7, 7]],
    ] as const) {
      const a = await runSplit({ ...baseOptions(input, path.join(root, `k${percent.train}`)), percent, checkJpeg: false }, quiet);
      expect(totals(a)).toEqual(want);
      const b = await runSplit({ ...baseOptions(input, path.join(root, `k${percent.train}`)), percent, checkJpeg: false, force: true }, quiet);
      expect(listing(b)).toEqual(listing(a)); // still deterministic for a seed
      for (const [, row] of countsByClass(a)) {
        for (const sp of SPLITS) expect(Math.abs(row[sp] - (16 * percent[sp]) / 100)).toBeLessThan(1); // each class: its floor or one more
      }
    }
    // many class sizes: every class within one frame of its exact share, totals the whole split's
    for (let k = 0; k < 300; k++) {
      const many = new Map(Array.from({ length: 2 + (k % 9) }, (_, i) => [`c${i}`, 1 + ((k * 7919 + i * 104729) % 23)] as [string, number]));
      const percent = [
        { train: 80, valid: 10, test: 10 },
        { train: 70, valid: 15, test: 15 },
        { train: 34, valid: 33, test: 33 },
        { train: 60, valid: 25, test: 15 },
      ][k % 4]!;
      const rows = classShares(many, percent, k);
      const n = [...many.values()].reduce((a, b) => a + b, 0);
      for (const sp of SPLITS) expect([...rows.values()].reduce((t, r) => t + r[sp], 0)).toBe(shares(n, percent)[sp]);
      for (const [c, r] of rows) for (const sp of SPLITS) expect(Math.abs(r[sp] - (many.get(c)! * percent[sp]) / 100)).toBeLessThan(1);
    }
    // the sizes alone: sums are the whole split's shares, a 0% split gets nothing, classes of any size
    const sizes = new Map([
      ['a', 7],
      ['b', 7],
      ['c', 6],
      ['d', 1],
      ['e', 30],
    ]);
    for (const seed of [1, 2, 3]) {
      for (const percent of [
        { train: 80, valid: 10, test: 10 },
        { train: 50, valid: 50, test: 0 },
        { train: 34, valid: 33, test: 33 },
      ]) {
        const rows = classShares(sizes, percent, seed);
        const sum = (sp: (typeof SPLITS)[number]): number => [...rows.values()].reduce((t, r) => t + r[sp], 0);
        expect(SPLITS.map(sum)).toEqual(SPLITS.map((sp) => shares(51, percent)[sp]));
        for (const [c, r] of rows) expect(r.train + r.valid + r.test).toBe(sizes.get(c));
        for (const [c, r] of rows) for (const sp of SPLITS) expect(Math.abs(r[sp] - (sizes.get(c)! * percent[sp]) / 100)).toBeLessThan(1);
        if (percent.test === 0) expect(sum('test')).toBe(0);
      }
    }
  });

  it('keeps every group in one split with --group-by', async () => {
    const root = tmp();
    const a = await runSplit({ ...baseOptions(input, path.join(root, 'stage')), groupBy: 'stage', percent: { train: 50, valid: 0, test: 50 } }, quiet);
    for (const stage of ['battlefield', 'yoshis']) {
      const holders = SPLITS.filter((s) => a[s].some((i) => i.name.stage === stage));
      expect(holders).toHaveLength(1);
    }
    expect(a.train.length + a.test.length).toBe(all.length);
    expect(a.train.length).toBe(40);
    // the split says how it was made, so figures measured on it can say so
    const made = readSplitProvenance(path.join(root, 'stage'));
    expect(made).toEqual({ by: 'stage', seed: 1, percent: { train: 50, valid: 0, test: 50 } });
    expect(describeSplit(made)).toBe('split by stage (seed 1, 50/0/50): no stage of the test split is in training');
    expect(readSplitProvenance(root)).toBeNull();
    fs.writeFileSync(path.join(root, 'split.json'), '{"seed": "x"}');
    expect(() => readSplitProvenance(root)).toThrow(/split\.json: not a split manifest/);

    // session: capture runs recorded in the sidecar; other frames group by their label
    const sessionsIn = path.join(tmp(), 'images');
    makeDataset(sessionsIn);
    fs.writeFileSync(
      path.join(sessionsIn, 'fox', SESSIONS_FILE),
      JSON.stringify({ label: 'fox_red_battlefield_left', from: 1, to: 2, started: 'x' }) +
        '\n' +
        JSON.stringify({ label: 'fox_red_battlefield_left', from: 3, to: 5, started: 'y' }) +
        '\n',
    );
    const s = await runSplit({ ...baseOptions(sessionsIn, path.join(root, 'session')), groupBy: 'session', seed: 3 }, quiet);
    const splitOf = (file: string): string => SPLITS.find((sp) => s[sp].some((i) => path.basename(i.path) === file))!;
    const groups = new Map<string, Set<string>>();
    for (const sp of SPLITS)
      for (const i of s[sp]) {
        const n = i.name;
        const key =
          n.character === 'fox' && n.color === 'red' && n.stage === 'battlefield' && n.orientation === 'left'
            ? `run${n.number <= 2 ? 1 : 2}`
            : `${n.character}_${n.color}_${n.stage}_${n.orientation}`;
        groups.set(key, (groups.get(key) ?? new Set()).add(sp));
      }
    expect([...groups.values()].every((set) => set.size === 1)).toBe(true);
    expect(groups.size).toBe(17); // 16 labels, one of them split into two runs
    expect(splitOf('fox_red_battlefield_left_bg_on_001.jpg')).toBe(splitOf('fox_red_battlefield_left_bg_on_002.jpg'));
    expect(SPLITS.every((sp) => s[sp].length > 0)).toBe(true);
  });

  it('validates percentages and refuses a non-empty output unless --force, replacing it whole', async () => {
    const root = tmp();
    const out = path.join(root, 'keras');
    await expect(runSplit({ ...baseOptions(input, out), percent: { train: 80, valid: 10, test: 5 } }, quiet)).rejects.toThrow(/add up to 100/);
    await expect(runSplit({ ...baseOptions(input, out), percent: { train: 120, valid: -10, test: -10 } }, quiet)).rejects.toThrow(/0 to 100/);
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'stale.txt'), 'old');
    await expect(runSplit(baseOptions(input, out), quiet)).rejects.toThrow(/not empty.*--force/);
    expect(fs.readdirSync(out)).toEqual(['stale.txt']);
    await runSplit({ ...baseOptions(input, out), force: true }, quiet);
    expect(fs.existsSync(path.join(out, 'stale.txt'))).toBe(false);
    expect(tree(out)).toHaveLength(all.length);
    expect(fs.readdirSync(root).sort()).toEqual(['keras']); // no temp or old folder left behind
  });

  it('refuses --out that holds --in, is it, or lies inside it, on real paths, even with --force', async () => {
    const root = tmp();
    const x = path.join(root, 'X');
    const inside = path.join(x, 'in');
    makeDataset(inside);
    fs.writeFileSync(path.join(x, 'precious.txt'), 'keep');
    const before = tree(x);
    // the reproduction: --out is the parent of --in
    const run = cli('split', '--in', inside, '--out', x, '--force');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--out .*holds --in/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // one line, no stack
    expect(tree(x)).toEqual(before);
    expect(fs.existsSync(path.join(x, 'precious.txt'))).toBe(true);
    // the same through a symlink, through '..', the folder itself, and --out inside --in
    fs.symlinkSync(x, path.join(root, 'link'));
    await expect(runSplit({ ...baseOptions(inside, path.join(root, 'link')), force: true }, quiet)).rejects.toThrow(/holds --in/);
    await expect(runSplit({ ...baseOptions(inside, path.join(inside, '..')), force: true }, quiet)).rejects.toThrow(/holds --in/);
    await expect(runSplit({ ...baseOptions(path.join(root, 'link', 'in'), x), force: true }, quiet)).rejects.toThrow(/holds --in/);
    await expect(runSplit({ ...baseOptions(inside, path.join(root, 'link', 'in')), force: true }, quiet)).rejects.toThrow(/--in folder itself/);
    await expect(runSplit({ ...baseOptions(inside, path.join(root, 'link', 'in', 'keras')), force: true }, quiet)).rejects.toThrow(/inside --in/);
    expect(tree(x)).toEqual(before);
    // a sibling whose name merely starts like the input is fine
    await runSplit({ ...baseOptions(inside, path.join(x, 'in-keras')), force: true }, quiet);
    expect(tree(inside)).toHaveLength(80);
  });
});

describe('bad frames', () => {
  it('reports bad names and corrupt JPEGs with path and reason, exits non-zero, writes nothing', async () => {
    jpeg ??= await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } })
      .jpeg()
      .toBuffer();
    const root = tmp();
    const input = path.join(root, 'images');
    makeDataset(input);
    const noisy = Buffer.alloc(160 * 120 * 3);
    for (let i = 0; i < noisy.length; i++) noisy[i] = (i * 7919) % 251;
    const full = await sharp(noisy, { raw: { width: 160, height: 120, channels: 3 } })
      .jpeg()
      .toBuffer();
    const truncated = path.join(input, 'fox', 'fox_red_yoshis_left_bg_on_006.jpg');
    fs.writeFileSync(truncated, full.subarray(0, Math.floor(full.length * 0.7)));
    const badName = path.join(input, 'fox', 'fox-red-yoshis-left-6.jpg');
    fs.writeFileSync(badName, jpeg);
    const misplaced = path.join(input, 'marth', 'fox_red_yoshis_left_bg_on_009.jpg');
    fs.writeFileSync(misplaced, jpeg);

    const scan = await scanImages(input, { skipBad: true, checkJpeg: true });
    expect(scan.bad.map((b) => b.path).sort()).toEqual([badName, misplaced, truncated].sort());
    expect(scan.bad.find((b) => b.path === truncated)!.reason).toMatch(/corrupt JPEG.*premature end/);
    expect(scan.items).toHaveLength(80);

    const out = path.join(root, 'keras');
    const run = cli('split', '--in', input, '--out', out);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${truncated}: corrupt JPEG`);
    expect(run.stderr).toContain(`${badName}: name does not match`);
    expect(run.stderr).toContain(`${misplaced}: character 'fox' is in folder 'marth'`);
    expect(fs.readdirSync(root)).toEqual(['images']); // nothing written

    const skipping = cli('split', '--in', input, '--out', out, '--skip-bad');
    expect(skipping.status).toBe(0);
    expect(skipping.stdout).toMatch(/class\s+train\s+valid\s+test\s+total/);
    expect(skipping.stdout).toMatch(/fox\s+32\s+4\s+4\s+40/);
    expect(tree(out)).toHaveLength(80);
  });

  it('refuses class folders that differ only in case, and the reserved class unknown/', async () => {
    const root = tmp();
    const input = path.join(root, 'images');
    makeDataset(input);
    fs.mkdirSync(path.join(input, 'Fox'));
    fs.writeFileSync(path.join(input, 'Fox', 'Fox_red_battlefield_left_bg_on_001.jpg'), jpeg);
    fs.mkdirSync(path.join(input, 'unknown'));
    fs.writeFileSync(path.join(input, 'unknown', 'unknown_red_battlefield_left_bg_on_001.jpg'), jpeg);
    const scan = await scanImages(input, { skipBad: true, checkJpeg: false });
    expect(scan.bad.map((b) => [path.basename(b.path), b.reason.split(':')[0]])).toEqual([
      ['Fox', "class folder 'Fox' differs from 'fox' only in case"],
      ['fox', "class folder 'fox' differs from 'Fox' only in case"],
      ['unknown', "'unknown' is reserved (the label shown when no class is confident)"],
    ]);
    await expect(runSplit(baseOptions(input, path.join(root, 'keras')), quiet)).rejects.toThrow(/differs from 'fox' only in case/);
    expect(parseLabel('Fox_Red_BATTLEFIELD_left')).toEqual({ character: 'fox', color: 'red', stage: 'battlefield', orientation: 'left' });
    expect(() => parseLabel('unknown_red_battlefield_left')).toThrow(/'unknown' is reserved/);
  });
});
