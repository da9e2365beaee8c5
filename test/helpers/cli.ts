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
