// `models import-keras`: a Keras .h5 becomes a folder under `out`: a model package for a full
// model, an imported backbone (usable as `train --weights <folder>`) for the notop file.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { backboneFiles } from './backbone-weights.ts';
import { backboneLayers } from './backbones.ts';
import { VGG16_NOTOP_MD5 } from './keras-files.ts';
import { readKerasH5 } from './keras-h5.ts';
import type { KerasImport } from './keras-h5.ts';
import { exportOnnx } from './onnx-export.ts';
import { packageFiles } from './package-files.ts';
import { labelsProblem, modelInput, writeModelPackage } from './package.ts';
import type { ModelMeta } from './package.ts';

export interface ImportOptions {
  name?: string;
  labels?: string;
  labelsFile?: string;
  size?: { height: number; width: number };
  out: string;
  /** Replace a folder of that name (`models fetch`: the same published weights again). */
  replace?: boolean;
}

function readLabels(o: ImportOptions, classes: number, file: string): string[] {
  let labels: string[];
  if (o.labels) labels = o.labels.split(',').map((s) => s.trim());
  else if (o.labelsFile) {
    if (!fs.existsSync(o.labelsFile)) throw new UserError(`${o.labelsFile}: no such labels file`);
    const text = fs.readFileSync(o.labelsFile, 'utf8');
    try {
      labels = JSON.parse(text) as string[];
    } catch {
      labels = text
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string' && l))
      throw new UserError(`${o.labelsFile}: expected a JSON array of strings or one label per line`);
  } else {
    process.stderr.write(`${file}: no --labels given; naming the ${classes} classes class1…class${classes}\n`);
    labels = Array.from({ length: classes }, (_, i) => `class${i + 1}`);
  }
  const problem = labelsProblem(labels);
  if (problem) throw new UserError(`${o.labelsFile ?? '--labels'}: ${problem}`);
  if (labels.length !== classes) throw new UserError(`${o.labelsFile ?? '--labels'}: ${labels.length} labels, but ${file} outputs ${classes} classes`);
  return labels;
}

function headMeta(k: KerasImport): { meta: ModelMeta['head']; classes: number } {
  const head = k.layers.slice(backboneLayers(k.backbone).length);
  const dense = head.filter((l) => l.type === 'dense');
  const last = dense[dense.length - 1];
  if (last?.type !== 'dense' || last.activation !== 'softmax') throw new UserError('the model does not end in a softmax Dense layer (a classifier)');
  const hidden = dense.slice(0, -1);
  const drop = head.find((l) => l.type === 'dropout');
  return {
    meta: { width: hidden[0]?.type === 'dense' ? hidden[0].units : 0, depth: hidden.length, dropout: drop?.type === 'dropout' ? drop.rate : 0 },
    classes: last.units,
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `<out>/<name>` for a new import: a plain folder name (no '/', no '..') that lands inside `out`
 * and is not taken. An import never replaces a folder: `models/` holds trained packages too.
 */
function targetDir(out: string, name: string, flag: boolean, replace = false): string {
  const what = flag ? `--name '${name}'` : `'${name}' (from the file name; pass --name)`;
  if (!NAME_RE.test(name)) throw new UserError(`${what}: a folder name of letters, digits, '.', '_' or '-' (no '/' or '..'), made inside --out`);
  const dir = path.join(out, name);
  if (path.dirname(path.resolve(dir)) !== path.resolve(out)) throw new UserError(`${what}: must name a folder inside --out ${out}`);
  if (!replace && fs.existsSync(dir))
    throw new UserError(`${dir}: already exists; choose another --name or remove it first (an import never replaces a folder)`);
  return dir;
}

export async function importKeras(file: string, o: ImportOptions): Promise<string> {
  if (o.name !== undefined) targetDir(o.out, o.name, true, o.replace); // refuse before reading a 500 MB file
  const k = await readKerasH5(file, { size: o.size });
  const created = new Date().toISOString();
  const base = path
    .basename(file)
    .replace(/\.h5$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  if (k.kind === 'notop') {
    const name = o.name ?? (k.md5 === VGG16_NOTOP_MD5 ? 'vgg16-imagenet' : base);
    const dir = targetDir(o.out, name, o.name !== undefined, o.replace);
    const size = o.size ?? { height: 224, width: 224 };
    const files = backboneFiles({ kind: 'backbone', backbone: k.backbone, weights: k.description, created, source: path.basename(file) }, k.weights);
    files['backbone.onnx'] = exportOnnx({ ...size, layers: backboneLayers(k.backbone), weights: k.weights, doc: `${k.backbone} backbone, ${k.description}` });
    await writeModelPackage(dir, files);
    process.stderr.write(`imported ${k.backbone} backbone weights (${k.description}) → ${dir}; train with --weights ${dir}\n`);
    return dir;
  }
  const { meta: head, classes } = headMeta(k);
  const labels = readLabels(o, classes, file);
  const name = o.name ?? base;
  const size = k.inputSize!;
  const meta: ModelMeta = {
    name,
    created,
    input: modelInput(size.height, size.width),
    preprocessing: 'caffe',
    backbone: k.backbone,
    weights: k.description,
    head,
    classes,
  };
  const dir = targetDir(o.out, name, o.name !== undefined, o.replace);
  await writeModelPackage(dir, await packageFiles({ meta, labels, layers: k.layers, weights: k.weights }));
  process.stderr.write(`imported ${k.backbone} model, ${classes} classes, ${size.width}x${size.height} (${k.description}) → ${dir}\n`);
  return dir;
}
