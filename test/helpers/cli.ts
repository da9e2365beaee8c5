// Runs the real CLI (`node bin/smashsight.js …`) in a child process, as a user would.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve('bin/smashsight.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Where a test's `train` writes: `--name <name>`, packages in <root>/models, features in <root>/cache. */
export function trainOutputArgs(root: string, name: string): string[] {
  return ['--name', name, '--out', path.join(root, 'models'), '--cache', path.join(root, 'cache')];
}

/** `train` at toy sizes (tiny backbone, 32x32, one epoch, one thread): for what a run refuses or writes. */
export function quickTrainArgs(o: { data: string; out: string; cache: string; name: string; weights?: string; backbone?: string }): string[] {
  return [
    'train',
    '--data',
    o.data,
    '--backbone',
    o.backbone ?? 'tiny',
    '--weights',
    o.weights ?? 'random:1',
    '--size',
    '32x32',
    '--width',
    '8',
    '--depth',
    '1',
    '--epochs',
    '1',
    '--threads',
    '1',
    '--name',
    o.name,
    '--out',
    o.out,
    '--cache',
    o.cache,
  ];
}
