// Issue 11's data that can be lost and debris left behind: what `train`, `models import-keras`,
// `synth`, `split` and `capture` must never overwrite, and what an interrupted run must not leave.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, quickTrainArgs } from './helpers/cli.ts';
import { imageSplit } from './helpers/training-fixtures.ts';
import { claimPackageDir, dateStamp } from '../training/package-output.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));

describe('train never replaces a package it did not make', () => {
  it('claims <stamp>-<name>-2, -3… when the folder is taken, also when runs race', async () => {
    const out = path.join(tmp(), 'models');
    const dirs = await Promise.all(Array.from({ length: 5 }, () => claimPackageDir(out, '2026-01-01-10-00-m')));
    expect(dirs.map((d) => path.basename(d)).sort()).toEqual([
      '2026-01-01-10-00-m',
      '2026-01-01-10-00-m-2',
      '2026-01-01-10-00-m-3',
      '2026-01-01-10-00-m-4',
      '2026-01-01-10-00-m-5',
    ]);
  });

  it('a second run with the same --name in the same minute keeps the first package', async () => {
    const root = tmp();
    for (const split of ['train', 'valid', 'test']) await imageSplit(path.join(root, 'data'), split, ['fox', 'marth'], split === 'train' ? 8 : 2);
    const models = path.join(root, 'models');
    // The first run's package, for this minute and the next two (the run may cross a minute).
    const now = Date.now();
    const taken = [0, 1, 2].map((m) => path.join(models, `${dateStamp(new Date(now + m * 60_000))}-quick`));
    for (const dir of taken) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'meta.json'), 'the first run');
    }
    const r = cli(quickTrainArgs({ data: path.join(root, 'data'), out: models, cache: path.join(root, 'cache'), name: 'quick' }));
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    for (const dir of taken) expect(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).toBe('the first run');
    const made = r.stdout.trim();
    expect(taken.map((d) => `${d}-2`)).toContain(made);
    expect(JSON.parse(fs.readFileSync(path.join(made, 'meta.json'), 'utf8')).name).toBe(path.basename(made));
  });
});
