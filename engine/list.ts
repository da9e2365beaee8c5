// `models list`: packages (meta.json) and imported backbones (backbone.json) with a one-line summary.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { BACKBONE_META } from './backbone-weights.ts';
import type { BackboneMeta } from './backbone-weights.ts';
import { readModelPackage } from './package.ts';

export interface ListRow {
  dir: string;
  kind: 'model' | 'backbone' | 'invalid';
  summary: string;
}

export async function listAll(root: string): Promise<ListRow[]> {
  if (!fs.existsSync(root)) return [];
  const rows: ListRow[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = path.join(root, e.name);
    if (fs.existsSync(path.join(dir, BACKBONE_META))) {
      const m = JSON.parse(fs.readFileSync(path.join(dir, BACKBONE_META), 'utf8')) as BackboneMeta;
      rows.push({ dir, kind: 'backbone', summary: `backbone ${m.backbone}, weights ${m.weights}` });
    } else if (fs.existsSync(path.join(dir, 'meta.json'))) {
      try {
        const p = await readModelPackage(dir);
        const m = p.meta;
        const top1 = m.metrics?.top1 === undefined ? '' : `, top-1 ${(100 * m.metrics.top1).toFixed(1)}%`;
        rows.push({ dir, kind: 'model', summary: `${m.backbone} ${m.input.width}x${m.input.height}, ${m.classes} classes, weights ${m.weights}${top1}` });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        rows.push({ dir, kind: 'invalid', summary: `invalid: ${err.message}` });
      }
    }
  }
  return rows.sort((a, b) => a.dir.localeCompare(b.dir));
}
