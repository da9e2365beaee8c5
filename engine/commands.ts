// `smashsight models …`: import Keras .h5 files, fetch the ImageNet VGG16 weights, list packages.
// Heavy modules load inside the actions so `--help` stays fast.
import type { Command } from 'commander';
import { parseSize } from '../kit/flags.ts';
import { UserError } from '../kit/errors.ts';

/** Registers `models …`; returns the `models` command so other stages can add theirs (quantize). */
export function registerModelCommands(program: Command): Command {
  const models = program.command('models').description('Model weights and packages: import Keras .h5, fetch VGG16, list');

  models
    .command('import-keras')
    .description("Convert a Keras .h5 (VGG16 notop weights, or a full Keras 2 model like the notebook's *-model.h5) into a folder under --out")
    .argument('<file>', '.h5 file')
    .option('--name <name>', 'folder name inside --out, refused when taken (default: vgg16-imagenet for the ImageNet file, else the file name)')
    .option('--labels <list>', 'class labels, comma-separated, in output order (full models)')
    .option('--labels-file <file>', 'class labels: a JSON array or one per line (full models)')
    .option('--size <WxH>', 'input size: for the notop file, the size its backbone.onnx is exported at; for full models, overrides the saved size')
    .option('--out <dir>', 'parent folder of model packages', 'models')
    .action(async (file: string, o: { name?: string; labels?: string; labelsFile?: string; size?: string; out: string }) => {
      const { importKeras } = await import('./import-keras.ts');
      const dir = await importKeras(file, {
        name: o.name,
        labels: o.labels,
        labelsFile: o.labelsFile,
        size: o.size ? parseSize(o.size, { minWidth: 32 }) : undefined,
        out: o.out,
      });
      process.stdout.write(`${dir}\n`);
    });

  models
    .command('fetch')
    .description('Download the ImageNet VGG16 notop weights (Keras), check md5, convert them (needs internet)')
    .argument('<model>', 'only "vgg16"')
    .option('--out <dir>', 'parent folder of model packages', 'models')
    .option('--cache <dir>', 'where the downloaded .h5 is kept', '.cache/keras')
    .option('--url <url>', 'download from this URL instead of the Keras one')
    .option('--timeout <seconds>', 'give up connecting after this many seconds', '5')
    .action(async (model: string, o: { out: string; cache: string; url?: string; timeout: string }) => {
      if (model !== 'vgg16') throw new UserError(`models fetch ${model}: only "vgg16" can be fetched`);
      const timeout = Number(o.timeout);
      if (!(timeout > 0)) throw new UserError(`--timeout ${o.timeout}: expected a positive number of seconds`);
      const { fetchVgg16 } = await import('./fetch.ts');
      const dir = await fetchVgg16({ out: o.out, cache: o.cache, url: o.url, timeoutMs: timeout * 1000 });
      process.stdout.write(`${dir}\n`);
    });

  models
    .command('list')
    .description('List model packages and imported backbones under a folder')
    .option('--dir <dir>', 'folder to look in', 'models')
    .option('--json', 'print JSON', false)
    .action(async (o: { dir: string; json: boolean }) => {
      const { listAll } = await import('./list.ts');
      const rows = await listAll(o.dir);
      if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (!rows.length) process.stdout.write(`no model packages under ${o.dir}/\n`);
      else for (const r of rows) process.stdout.write(`${r.dir}\t${r.summary}\n`);
    });
  return models;
}
