// `npm run check` runs this: every import between top-level folders must go down the house, as
// README's "Layout" states. One table, read top to bottom; a folder may import only the folders
// named on its row (and itself). Tests and scripts may import anything.
import fs from 'node:fs';
import path from 'node:path';

export const LAYERS: Record<string, readonly string[]> = {
  cli: ['bench', 'game', 'server', 'training', 'dataset', 'engine', 'source', 'kit'],
  bench: ['game', 'server', 'training', 'dataset', 'engine', 'source', 'kit'],
  game: ['dataset', 'source', 'kit'],
  overlay: ['server', 'kit'],
  server: ['engine', 'source', 'kit'],
  training: ['dataset', 'engine', 'source', 'kit'],
  dataset: ['source', 'kit'],
  engine: ['kit'],
  source: ['kit'],
  kit: [],
};
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|svelte|js)$/.test(e.name) ? [p] : [];
  });
}

/** Every import that leaves its folder for one its row does not name: `file: imports target`. */
export function layerViolations(root: string): string[] {
  const out: string[] = [];
  for (const top of Object.keys(LAYERS)) {
    const dir = path.join(root, top);
    if (!fs.existsSync(dir)) continue;
    for (const file of sourceFiles(dir)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const target = path.relative(root, path.resolve(path.dirname(file), m[2]!));
        const to = target.split(path.sep)[0]!;
        if (to === top) continue;
        if (!LAYERS[top]!.includes(to))
          out.push(`${path.relative(root, file)}: imports ${target} (${top}/ may import ${LAYERS[top]!.join(', ') || 'nothing of the project'})`);
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bad = layerViolations(process.cwd());
  for (const line of bad) process.stderr.write(`layers: ${line}\n`);
  if (bad.length > 0) process.exit(1);
  process.stdout.write('layers: every import between top-level folders goes down\n');
}
