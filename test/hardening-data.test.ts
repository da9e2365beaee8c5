// Issue 11's data that can be lost and debris left behind: what `train`, `models import-keras`,
// `synth`, `split` and `capture` must never overwrite, and what an interrupted run must not leave.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLI, cli, quickTrainArgs } from './helpers/cli.ts';
import { imageSplit, randomPackage } from './helpers/training-fixtures.ts';
import { labelsProblem, readModelPackage } from '../engine/package.ts';
import { claimPackageDir, dateStamp } from '../training/package-output.ts';
import { fileSystemErrorLine } from '../cli/run.ts';

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

/** The pid of a process that has exited: nothing runs under it now. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function tempFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(tmp|old)-\d+/.test(f));
}

async function until(what: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  // a child that is already gone (it finished before the signal) has fired 'exit' already
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('temp files of an interrupted run', () => {
  it('are removed on SIGINT and SIGTERM, and the process still dies of the signal', () => {
    const dir = tmp();
    const script = path.join(dir, 'sig.mts');
    const module = path.resolve('kit/temp-files.ts');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { removeOnInterrupt } from ${JSON.stringify(module)};
const [file, folder, signal] = process.argv.slice(2);
fs.writeFileSync(file, 'x');
fs.mkdirSync(folder + '/deep', { recursive: true });
removeOnInterrupt(file);
removeOnInterrupt(folder);
process.kill(process.pid, signal);
setTimeout(() => console.log('still running'), 3000);
`,
    );
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const file = path.join(dir, `a.jpg.tmp-${signal}`);
      const folder = path.join(dir, `out.tmp-${signal}`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, file, folder, signal], { encoding: 'utf8' });
      expect(r.signal).toBe(signal);
      expect(r.stdout).not.toContain('still running');
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(folder)).toBe(false);
    }
  });

  it('synth: Ctrl-C leaves no *.jpg.tmp-<pid>; the next run removes those of dead runs; split skips them', async () => {
    const root = tmp();
    for (let attempt = 0; attempt < 4; attempt++) {
      const out = path.join(root, `d${attempt}`);
      const child = spawn(
        process.execPath,
        [CLI, 'synth', '--out', out, '--characters', 'fox', '--frames-per-combo', '40', '--size', '1280x960', '--quality', '100'],
        {
          stdio: 'ignore',
        },
      );
      const fox = path.join(out, 'images', 'fox');
      await until(() => fs.existsSync(fox) && fs.readdirSync(fox).length >= 3 + attempt * 3);
      child.kill('SIGINT');
      const exit = await exitOf(child);
      expect(exit.signal ?? exit.code).not.toBe(0);
      expect(tempFiles(out)).toEqual([]);
    }
    // kill -9 can't be caught: its temp files go with the next run (a live run's are kept)
    const out = path.join(root, 'd0');
    const fox = path.join(out, 'images', 'fox');
    const stale = path.join(fox, `fox_default_battlefield_left_bg_on_999.jpg.tmp-${deadPid()}`);
    const live = path.join(fox, `fox_default_battlefield_left_bg_on_998.jpg.tmp-${process.pid}`);
    fs.writeFileSync(stale, 'half a jpeg');
    fs.writeFileSync(live, 'being written');
    const split = cli(['split', '--in', path.join(out, 'images'), '--out', path.join(root, 'keras')]);
    expect(split.stderr).toBe(split.stderr.replace(/name does not match/, '')); // not a bad frame
    expect(split.status).toBe(0);
    expect(split.stdout).toMatch(/ignored 2 temp file\(s\) of an interrupted run/);
    const again = cli(['synth', '--out', out, '--characters', 'fox', '--frames-per-combo', '1', '--size', '64x48', '--force']);
    expect(again.status).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });

  it('split: Ctrl-C leaves no <out>.tmp-<pid>; the next run clears a dead run’s and puts back its previous output', async () => {
    const root = tmp();
    const images = path.join(root, 'images');
    await imageSplit(root, 'x', ['fox', 'marth'], 30);
    fs.renameSync(path.join(root, 'x', 'images'), images);
    const out = path.join(root, 'keras');
    const child = spawn(process.execPath, [CLI, 'split', '--in', images, '--out', out, '--copy', '--no-check-jpeg'], { stdio: 'ignore' });
    await until(() => fs.readdirSync(root).some((n) => n.startsWith('keras.tmp-')), 60_000).catch(() => undefined);
    child.kill('SIGINT');
    await exitOf(child);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('keras.'))).toEqual([]);

    // a run killed outright: its temp folder, and the previous output it had moved aside
    const dead = deadPid();
    fs.mkdirSync(path.join(root, `keras.tmp-${dead}`, 'train'), { recursive: true });
    fs.mkdirSync(path.join(root, `keras.old-${dead}`));
    fs.writeFileSync(path.join(root, `keras.old-${dead}`, 'previous.txt'), 'the previous split');
    fs.rmSync(out, { recursive: true, force: true });
    const r = cli(['split', '--in', images, '--out', out]);
    expect(r.stdout).toContain(`put back the previous output from keras.old-${dead}`);
    expect(r.status).not.toBe(0); // the previous output is back, so --out is not empty: --force replaces it
    expect(fs.readFileSync(path.join(out, 'previous.txt'), 'utf8')).toBe('the previous split');
    expect(fs.readdirSync(root).sort()).toEqual(['images', 'keras', 'x']);
    expect(cli(['split', '--in', images, '--out', out, '--force']).status).toBe(0);
    expect(fs.readdirSync(root).sort()).toEqual(['images', 'keras', 'x']);
    // with --out there, an old-looking folder may be someone's backup: noted, never deleted
    fs.mkdirSync(path.join(root, `keras.old-${dead}`));
    const again = cli(['split', '--in', images, '--out', out, '--force']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`note: ${path.join(root, `keras.old-${dead}`)} looks like the previous output of an interrupted split`);
    expect(fs.readdirSync(root).sort()).toEqual(['images', 'keras', `keras.old-${dead}`, 'x']);
  });

  for (const when of ['extracting', 'training'] as const)
    it(`train: Ctrl-C while ${when} removes its /tmp/ss-backbone-<pid>-* folder; the next run removes a dead run’s`, async () => {
      const root = tmp();
      for (const split of ['train', 'valid', 'test']) await imageSplit(path.join(root, 'data'), split, ['fox', 'marth'], split === 'train' ? 8 : 2);
      const stale = path.join(os.tmpdir(), `ss-backbone-${deadPid()}-AbC123`);
      fs.mkdirSync(stale);
      fs.writeFileSync(path.join(stale, 'backbone.onnx'), 'x');
      const args = quickTrainArgs({ data: path.join(root, 'data'), out: path.join(root, 'models'), cache: path.join(root, 'cache'), name: 'long' });
      // killed outright after 3 minutes whatever happens, and when the test ends even by timing out
      // (vitest then abandons the test's own finally): one such run lived on for 36 minutes
      const child = spawn(process.execPath, [CLI, ...args, '--epochs', '100000', '--patience', '100000'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 180_000,
        killSignal: 'SIGKILL',
      });
      onTestFinished(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      let out = '';
      for (const stream of [child.stdout!, child.stderr!])
        stream.on('data', (c: Buffer) => {
          out += String(c);
        });
      const mine = (): string[] => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`ss-backbone-${child.pid}-`));
      await until(() => mine().length > 0);
      expect(fs.existsSync(stale)).toBe(false);
      // the head's epochs only await settled promises: this case once ran on, ignoring SIGINT
      if (when === 'training') await until(() => /Epoch 2\//.test(out));
      else await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      const exit = await exitOf(child);
      expect(exit.signal).toBe('SIGINT');
      expect(mine()).toEqual([]);
      expect(fs.existsSync(path.join(root, 'models')) ? fs.readdirSync(path.join(root, 'models')) : []).toEqual([]);
    });
});

describe('labels: duplicates and the reserved unknown are refused, naming the file', () => {
  it('a package whose labels.json repeats a label or holds unknown does not open', async () => {
    const root = tmp();
    const dir = path.join(root, 'm');
    await randomPackage(dir, ['fox', 'marth', 'peach']);
    await expect(readModelPackage(dir)).resolves.toBeTruthy();
    const file = path.join(dir, 'labels.json');
    for (const [labels, why] of [
      [['fox', 'fox', 'peach'], "label 'fox' appears more than once"],
      [['fox', 'unknown', 'peach'], "'unknown' is reserved"],
      [['fox', '', 'peach'], 'label 2 is empty'],
    ] as const) {
      fs.writeFileSync(file, JSON.stringify(labels));
      await expect(readModelPackage(dir)).rejects.toThrow(`${file}: ${why}`);
      const r = cli(['predict', path.join(dir, 'labels.json'), '--model', dir]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^smashsight: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
    expect(labelsProblem(['fox', 'Fox'])).toBeNull(); // distinct strings
  });

  it('a train split with an unknown/ class folder is refused before any work', async () => {
    const root = tmp();
    await imageSplit(path.join(root, 'data'), 'train', ['fox', 'unknown'], 2);
    const r = cli(quickTrainArgs({ data: path.join(root, 'data'), out: path.join(root, 'models'), cache: path.join(root, 'cache'), name: 'q' }));
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `smashsight: ${path.join(root, 'data', 'train', 'images')}: class folders: 'unknown' is reserved (the label shown when no class is confident): rename that class`,
    );
    expect(fs.existsSync(path.join(root, 'models'))).toBe(false);
  });
});

describe('train with a class missing from valid or test', () => {
  it('trains, but warns naming the split and the class', async () => {
    const root = tmp();
    await imageSplit(path.join(root, 'data'), 'train', ['fox', 'marth', 'peach'], 4);
    await imageSplit(path.join(root, 'data'), 'valid', ['fox', 'peach'], 2);
    await imageSplit(path.join(root, 'data'), 'test', ['fox', 'marth', 'peach'], 2);
    const r = cli(quickTrainArgs({ data: path.join(root, 'data'), out: path.join(root, 'models'), cache: path.join(root, 'cache'), name: 'q' }));
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: ${path.join(root, 'data', 'valid', 'images')}: no images of class marth (4 in train): validation (val_loss, early stopping) never sees it`,
    ]);
  });
});

describe('install on npm 10, 11 and 12', () => {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

  it('decides every install script in the lockfile in allowScripts (npm 12 skips undecided ones)', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([at, p]) => at !== '' && p.hasInstallScript)
      .map(([at]) => at.slice(at.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    const undecided = withScripts.filter((name) => typeof pkg.allowScripts?.[name] !== 'boolean');
    expect(undecided).toEqual([]);
    // what needs its script: the bundled ffmpeg's exec bit, esbuild's binary check, tfjs-node-gpu's libtensorflow
    expect(pkg.allowScripts?.['@ffmpeg-installer/linux-x64']).toBe(true);
    expect(pkg.allowScripts?.esbuild).toBe(true);
  });

  it("never runs onnxruntime-node's postinstall by default: it fetches CUDA from NuGet and fails offline", () => {
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false); // npm >= 11.16
    const npmrc = fs
      .readFileSync('.npmrc', 'utf8')
      .split('\n')
      .filter((l) => !/^\s*[;#]/.test(l));
    expect(npmrc).toContain('onnxruntime-node-install=skip'); // npm 10, which ignores allowScripts
  });
});

describe('a file-system error no command foresaw', () => {
  it('is one line naming the path and exit 1, not a stack (synth --out under a file)', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'a file');
    const r = cli(['synth', '--out', path.join(dir, 'notes.txt', 'data'), '--frames-per-combo', '1', '--size', '64x48']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^smashsight: \S+notes\.txt\/data\/images\/\w+: part of the path is a file, not a folder \(ENOTDIR, mkdir\)$/);
    expect(fileSystemErrorLine(new Error('plain'))).toBeNull();
    expect(fileSystemErrorLine(Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write', path: '/d/f' }))).toBe('/d/f: disk full (ENOSPC, write)');
  });
});
