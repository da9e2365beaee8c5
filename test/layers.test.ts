import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations } from '../scripts/check-layers.ts';

describe('layers', () => {
  it('no folder of the project imports a folder above it', () => {
    expect(layerViolations(process.cwd())).toEqual([]);
  });

  it('names the file and the import that goes up', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-layers-'));
    try {
      fs.mkdirSync(path.join(root, 'source'));
      fs.mkdirSync(path.join(root, 'game'));
      fs.writeFileSync(path.join(root, 'game', 'live.ts'), 'export const x = 1;\n');
      fs.writeFileSync(path.join(root, 'source', 'frames.ts'), "import { x } from '../game/live.ts';\nconst y = await import('../kit/clock.ts');\n");
      expect(layerViolations(root)).toEqual([expect.stringMatching(/^source\/frames\.ts: imports game\/live\.ts \(source\/ may import kit\)$/)]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
