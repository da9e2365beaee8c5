// `train`, `evaluate`, `predict`: flags are validated here, once; the heavy
// modules (onnxruntime, tfjs, sharp) load inside the actions so `--help` stays fast.
import { type Command, Option } from 'commander';
import { ENGINE_KINDS, PRECISIONS } from '../engine/engine.ts';
import type { EngineKind, Precision } from '../engine/engine.ts';
import { BACKBONES, DEFAULT_POOL, HEAD_POOLS, type HeadPool, MIN_INPUT, WEIGHT_INITS, type WeightInit } from '../engine/backbones.ts';
import { AUGMENT_PRESETS, type AugmentPreset } from './augment.ts';
import { CACHE_DTYPES, type CacheDtype } from './cache-store.ts';
import { UserError } from '../kit/errors.ts';
import { FRACTION, NON_NEGATIVE, POSITIVE, POSITIVE_INT, WHOLE_NUMBER, numberFlag, parseSize } from '../kit/flags.ts';
import { backboneFlag, nameFlag } from './flags.ts';
import type { BackboneName } from '../engine/backbones.ts';

const engineOption = (): Option => new Option('--engine <engine>', 'network engine').choices(ENGINE_KINDS).default('onnx');
const precisionOption = (): Option =>
  new Option('--precision <p>', 'int8 graph or float (auto: int8 when the package has one and the CPU has VNNI)').choices(PRECISIONS).default('auto');
const threadsOption = (): Option => new Option('--threads <n>', 'engine threads (default: all cores)').argParser(numberFlag('--threads', POSITIVE_INT));

interface TrainFlags {
  data: string;
  backbone: BackboneName;
  weights: string;
  size: string;
  name: string;
  out: string;
  packageDir?: string;
  width: number;
  depth: number;
  dropout: number;
  lr?: number;
  batch?: number;
  epochs: number;
  head?: HeadPool;
  fromScratch: boolean;
  augment?: AugmentPreset;
  paste: number;
  init: WeightInit;
  schedule?: 'plateau' | 'cosine';
  warmupEpochs?: number;
  minDelta: number;
  patience: number;
  lrFactor: number;
  lrPatience: number;
  minLr: number;
  standardize: boolean;
  restoreBest: boolean;
  seed: number;
  engine: EngineKind;
  threads?: number;
  skipBad: boolean;
  fineTune: number;
  fineTuneEpochs: number;
  fineTuneLr: number;
  cache: string;
  extractBatch: number;
  cacheDtype: CacheDtype;
  memoryCap: number;
}

function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a character classifier: cached backbone features → dense head (or every layer from scratch) → model package')
    .option('--data <dir>', 'split layout: <data>/{train,valid,test}/images/<class>/*.jpg', 'data/keras')
    .option('--backbone <name>', BACKBONES.join(' | '), backboneFlag, 'vgg16')
    .option(
      '--weights <src>',
      'backbone weights: random[:seed], a Keras .h5 (notop or full model), a folder from `models import-keras`/`models fetch`, or a trained model package',
      'random:1',
    )
    .option('--size <WxH>', 'model input size (frames are stretched to it)', '224x224')
    .option('--name <name>', 'package name after the date stamp', nameFlag, 'model')
    .option('--out <dir>', 'writes <out>/<YYYY-MM-DD-HH-MM>-<name>/ (-2, -3… when taken: never replaces a package)', 'models')
    .option('--package-dir <dir>', 'write the package exactly here instead (replaced atomically), e.g. models/demo')
    .option('--width <n>', 'head: Dense units', numberFlag('--width', POSITIVE_INT), 512)
    .option('--depth <n>', 'head: Dense+Dropout pairs', numberFlag('--depth', WHOLE_NUMBER), 3)
    .option('--dropout <rate>', 'head: dropout rate', numberFlag('--dropout', FRACTION), 0.2)
    .addOption(
      new Option('--head <pool>', 'head pooling: flatten (the notebook), gap (global average) or max (global max) (default: flatten; gap for bn5)').choices(
        HEAD_POOLS,
      ),
    )
    .option('--from-scratch', 'train backbone and head together from random weights on augmented images (no feature cache); made for bn5 and bn5-fine', false)
    .option('--lr <rate>', 'Adam learning rate (default: 1e-4; 3e-3 from scratch)', numberFlag('--lr', POSITIVE))
    .option('--batch <n>', 'batch size (default: 16; 32 from scratch)', numberFlag('--batch', POSITIVE_INT))
    .addOption(
      new Option('--schedule <kind>', 'learning rate: plateau (ReduceLROnPlateau + early stopping) or cosine (default: plateau; cosine from scratch)').choices([
        'plateau',
        'cosine',
      ]),
    )
    .option(
      '--warmup-epochs <n>',
      'epochs of linear learning-rate warm-up (default: 0 for the head; 1 from scratch and for fine-tuning)',
      numberFlag('--warmup-epochs', NON_NEGATIVE),
    )
    .addOption(
      new Option(
        '--augment <preset>',
        'augmentation when training on images: notebook (shift, zoom, flip), scratch (+ colour, occluders), off (default: scratch from scratch, notebook for fine-tuning)',
      ).choices(AUGMENT_PRESETS),
    )
    .addOption(
      new Option('--init <kind>', "--from-scratch: random weights drawn as PyTorch's layer defaults (torch) or Keras' (keras)")
        .choices(WEIGHT_INITS)
        .default('torch'),
    )
    .option(
      '--paste <share>',
      "end-to-end training: share of frames (0-1) whose figure, cut out by its mask (masks/ beside images/: synth --masks), is set on another frame's painted-out background or a random field",
      numberFlag('--paste', FRACTION),
      0,
    )
    .option('--epochs <n>', 'most epochs', numberFlag('--epochs', POSITIVE_INT), 15)
    .option('--min-delta <d>', 'early stopping: smallest val_loss improvement', numberFlag('--min-delta', NON_NEGATIVE), 0.005)
    .option('--patience <n>', 'early stopping: epochs without improvement', numberFlag('--patience', POSITIVE_INT), 3)
    .option('--lr-factor <f>', 'reduce-on-plateau: learning-rate factor', numberFlag('--lr-factor', FRACTION), 0.2)
    .option('--lr-patience <n>', 'reduce-on-plateau: epochs without improvement', numberFlag('--lr-patience', POSITIVE_INT), 2)
    .option('--min-lr <rate>', 'reduce-on-plateau: lowest learning rate', numberFlag('--min-lr', NON_NEGATIVE), 1e-5)
    .option('--restore-best', "end with the weights of the epoch with the lowest val_loss (Keras' restore_best_weights)", false)
    .option('--no-standardize', 'train on raw features (default: standardized, folded into the first Dense layer)')
    .option('--seed <n>', 'seed for head init and shuffling', numberFlag('--seed', WHOLE_NUMBER), 1)
    .addOption(engineOption())
    .addOption(threadsOption())
    .option('--skip-bad', 'skip (and report) images that cannot be decoded instead of stopping', false)
    .option(
      '--fine-tune <blocks>',
      'then unfreeze the last N conv blocks and train end to end with augmentation (slow on CPU)',
      numberFlag('--fine-tune', WHOLE_NUMBER),
      0,
    )
    .option('--fine-tune-epochs <n>', 'fine-tuning: most epochs', numberFlag('--fine-tune-epochs', POSITIVE_INT), 5)
    .option('--fine-tune-lr <rate>', 'fine-tuning: Adam learning rate', numberFlag('--fine-tune-lr', POSITIVE), 1e-5)
    .option('--cache <dir>', 'feature cache root', '.cache/features')
    .option('--extract-batch <n>', 'frames per feature-extraction batch', numberFlag('--extract-batch', POSITIVE_INT), 16)
    .addOption(
      new Option('--cache-dtype <type>', 'how new feature-cache entries store values (float16: half the disk)').choices(CACHE_DTYPES).default('float16'),
    )
    .option(
      '--memory-cap <MB>',
      'cached features up to this size (as stored) are held in memory, larger ones read from disk per batch',
      numberFlag('--memory-cap', POSITIVE_INT),
      64,
    )
    .action(async (f: TrainFlags) => {
      const { width, height } = parseSize(f.size);
      if (Math.min(width, height) < MIN_INPUT[f.backbone])
        throw new UserError(`--size ${f.size}: ${f.backbone} needs at least ${MIN_INPUT[f.backbone]} pixels a side`);
      const { train } = await import('./train.ts');
      const scratch = f.fromScratch;
      if (scratch && f.fineTune > 0) throw new UserError('--fine-tune: not with --from-scratch (every layer trains already)');
      const fit = {
        lr: f.lr ?? (scratch ? 3e-3 : 1e-4),
        batch: f.batch ?? (scratch ? 32 : 16),
        epochs: f.epochs,
        minDelta: f.minDelta,
        patience: f.patience,
        lrFactor: f.lrFactor,
        lrPatience: f.lrPatience,
        minLr: f.minLr,
        seed: f.seed,
        restoreBest: f.restoreBest,
        schedule: f.schedule ?? (scratch ? 'cosine' : 'plateau'),
        warmupEpochs: f.warmupEpochs ?? (scratch ? 1 : 0),
      } as const;
      const r = await train({
        data: f.data,
        backbone: f.backbone,
        weights: f.weights,
        width,
        height,
        name: f.name,
        out: f.out,
        packageDir: f.packageDir,
        head: { ...fit, width: f.width, depth: f.depth, dropout: f.dropout, pool: f.head ?? DEFAULT_POOL[f.backbone], standardize: f.standardize },
        engine: f.engine,
        threads: f.threads,
        skipBad: f.skipBad,
        fineTune: f.fineTune,
        fineTuneCfg: { ...fit, epochs: f.fineTuneEpochs, lr: f.fineTuneLr, schedule: f.schedule ?? 'plateau', warmupEpochs: f.warmupEpochs ?? 1 },
        fromScratch: scratch,
        augment: f.augment ?? (scratch ? 'scratch' : 'notebook'),
        paste: f.paste,
        init: f.init,
        cacheRoot: f.cache,
        extractBatch: f.extractBatch,
        cacheDtype: f.cacheDtype,
        memoryCap: f.memoryCap * 2 ** 20,
      });
      // maxRSS is in KiB: the most memory this run held at once (features, model, tfjs backend).
      process.stderr.write(`peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB resident\n`);
      process.stdout.write(`${r.dir}\n`);
    });
}

function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('top-1, confusion matrix and per-class precision/recall/F1 of a model on a split')
    .requiredOption('--model <dir>', 'model package folder')
    .option('--data <dir>', 'split layout root', 'data/keras')
    .option('--split <name>', 'which split', 'test')
    .option('--out <dir>', 'where evaluation.json/.md, confusion.png, curves.png go (default: the model folder)')
    .addOption(engineOption())
    .addOption(precisionOption())
    .addOption(threadsOption())
    .option('--skip-bad', 'skip (and report) images that cannot be decoded', false)
    .action(
      async (f: { model: string; data: string; split: string; out?: string; engine: EngineKind; precision: Precision; threads?: number; skipBad: boolean }) => {
        const { runEvaluate } = await import('./evaluate-command.ts');
        await runEvaluate(f);
      },
    );
}

function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('top-k characters for an image, a folder of images, or a video file')
    .argument('<input>', 'image file, folder (searched recursively), or video file')
    .requiredOption('--model <dir>', 'model package folder')
    .option('--top <k>', 'labels per input', numberFlag('--top', POSITIVE_INT), 3)
    .option('--json', 'one JSON object per line instead of text', false)
    .option('--fps <n>', 'video: sample this many frames per second (default: every frame)', numberFlag('--fps', POSITIVE))
    .addOption(engineOption())
    .addOption(precisionOption())
    .addOption(threadsOption())
    .option('--skip-bad', 'skip (and report) images that cannot be decoded instead of stopping', false)
    .action(
      async (
        input: string,
        f: { model: string; top: number; json: boolean; fps?: number; engine: EngineKind; precision: Precision; threads?: number; skipBad: boolean },
      ) => {
        const { runPredict } = await import('./predict.ts');
        await runPredict(input, f);
      },
    );
}

/** `models quantize`, under the `models` command (it needs the dataset and evaluation, so it lives here). */
export function registerQuantize(models: Command): void {
  models
    .command('quantize')
    .description('add an int8 graph (model.int8.onnx) to a package: calibrated on its training split, checked against fp32 on the test split')
    .argument('<package>', 'model package folder')
    .option('--data <dir>', 'split layout root: calibration frames from train/, the accuracy check on test/', 'data/keras')
    .option('--samples <n>', 'calibration frames, a seeded sample of train/', numberFlag('--samples', POSITIVE_INT), 128)
    .option('--seed <n>', 'sampling seed', numberFlag('--seed', WHOLE_NUMBER), 1)
    .option('--max-drop <points>', 'refuse when int8 top-1 is more than this many percentage points below fp32', numberFlag('--max-drop', NON_NEGATIVE), 0.5)
    .addOption(threadsOption())
    .action(async (model: string, f: { data: string; samples: number; seed: number; maxDrop: number; threads?: number }) => {
      const { runQuantize } = await import('./quantize-command.ts');
      const say = (line: string): boolean => process.stderr.write(`${line}\n`);
      await runQuantize({ model, ...f }, say);
      process.stdout.write(`${model}/model.int8.onnx\n`);
    });
}

export function registerTrainingCommands(program: Command): void {
  registerTrain(program);
  registerEvaluate(program);
  registerPredict(program);
}
