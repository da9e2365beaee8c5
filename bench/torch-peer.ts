// PyTorch peers for the benchmarks: Python scripts beside this file, run on Debian's python3-torch
// when it is installed, each printing one JSON line with its figures.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = path.dirname(new URL(import.meta.url).pathname);

/** The python3 that has torch (Debian's /usr/bin/python3 first: a pyenv shim may shadow it). */
export async function torchPython(): Promise<string | null> {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      await run(py, ['-c', 'import torch']);
      return py;
    } catch {}
  }
  return null;
}

/** Runs `bench/<script>` with `args` and parses the last line it prints. */
export async function runPeer<T>(py: string, script: string, args: string[]): Promise<T> {
  const { stdout } = await run(py, [path.join(HERE, script), ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}
