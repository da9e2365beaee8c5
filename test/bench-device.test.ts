// `bench` and `bench-train` take --device like serve: on a machine without CUDA, `--device cuda`
// stops at once with one line saying why (not minutes of CPU figures first); a device name that
// does not exist is refused by the flag itself.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { onnxProviders } from '../engine/engine-onnx.ts';
import { CLI } from './helpers/cli.ts';

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const hasCuda = (await onnxProviders()).available.includes('cuda');

describe('bench --device', () => {
  it.skipIf(hasCuda).each([[['bench', '--device', 'cuda', '--seconds', '1']], [['bench-train', '--device', 'cuda', '--runs', '1']]])(
    '%j without CUDA: exit 1 and one line naming the flag and why',
    (args) => {
      const r = run(args);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^smashsight: --device cuda: not available here \(cuda: .+\)$/)]);
    },
  );

  it('bench-train --device gpu: the flag names its choices', () => {
    const r = run(['bench-train', '--device', 'gpu']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/option '--device <name>' argument 'gpu' is invalid\. Allowed choices are auto, cpu, cuda, dml, coreml, webgpu/);
  });
});
