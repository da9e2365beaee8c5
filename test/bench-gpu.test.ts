// bench/gpu.sh runs once, offline, on a machine lent now and then: its syntax and its refusals are
// checked here, where no GPU is (the figures themselves come from `bash bench/gpu.sh --cpu`, by hand).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const gpuSh = (...args: string[]) => spawnSync('bash', ['bench/gpu.sh', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('bench/gpu.sh', () => {
  it('parses (bash -n)', () => {
    const r = spawnSync('bash', ['-n', 'bench/gpu.sh'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it.each([
    [['--batches', '1,x'], /^bench\/gpu\.sh: --batches 1,x: a comma list of positive integers$/],
    [['--size', '100'], /^bench\/gpu\.sh: --size 100: a multiple of 32/],
    [['--frobnicate'], /^bench\/gpu\.sh: unknown argument --frobnicate/],
  ])('%j: exit 2 and one line before any work', (args, line) => {
    const r = gpuSh(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(line)]);
  });

  it('gpu_ort.mjs without arguments says how to call it', () => {
    const r = spawnSync(process.execPath, ['bench/gpu_ort.mjs'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node bench\/gpu_ort\.mjs <onnxruntime-node dir>/);
  });
});
