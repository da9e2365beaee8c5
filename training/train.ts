// `smashsight train`: split folders → bottleneck features (cached, ONNX Runtime) → dense head
// (tfjs) → optional fine-tuning → stacked model package, evaluated on the test split.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { backboneLayers, featureShape, headLayers, randomWeights } from '../engine/backbones.ts';
import { foldedLayers } from '../engine/layers.ts';
import { UserError } from '../kit/errors.ts';
import { openEngine } from '../engine/open-engine.ts';
import type { Engine } from '../engine/engine.ts';
import { loadTfjs } from '../engine/tfjs.ts';
import type { WeightSet } from '../engine/layers.ts';
import { loadBackboneWeights } from '../engine/backbone-weights.ts';
import { stageBackbone } from './backbone-source.ts';
import { emptyHistory, type TrainingHistory } from './callbacks.ts';
import { extractFeatures, fingerprintFiles } from './feature-cache.ts';
import type { FeatureSet } from './feature-cache.ts';
import { openFeatureRows } from './feature-reader.ts';
import { trainHead } from './head-trainer.ts';
import { augmentPreset, mirrorClasses } from './augment.ts';
import { trainEndToEnd, trainableFrom } from './fine-tune.ts';
import { buildPackage } from './package-output.ts';
import type { EvaluationReport } from './evaluation.ts';
import { checkFrameNames, listSplits, type SplitListing, type Splits } from './split-listing.ts';
import type { TrainOptions } from './train-options.ts';
import { removeOnInterrupt, removeStaleTemps } from '../kit/temp-files.ts';

export interface TrainResult {
  dir: string;
  report: EvaluationReport;
  history: TrainingHistory;
  /** Images the backbone ran on during extraction (0 when the cache had everything). */
  extracted: number;
}

async function datasetFingerprint(s: Splits): Promise<string> {
  const all = [s.train, s.valid, s.test].flatMap((l) => l.items.map((i) => path.resolve(i.path)));
  return createHash('sha256')
    .update(await fingerprintFiles(all))
    .digest('hex')
    .slice(0, 16);
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (o.fineTune > 0) trainableFrom(backboneLayers(o.backbone), o.fineTune); // refuse a bad block count before any work
  const splits = checkFrameNames(await listSplits(o.data), o.skipBad, log);
  const classes = splits.train.classes;
  log(
    `classes (${classes.length}): ${classes.join(', ')}; images: train ${splits.train.items.length}, valid ${splits.valid.items.length}, test ${splits.test.items.length}`,
  );
  if (o.fromScratch) return trainFromScratch(o, splits, log);
  const bw = await loadBackboneWeights(o.weights, o.backbone);
  log(`backbone: ${o.backbone} ${o.width}x${o.height}, weights ${bw.description}`);
  const staged = await stageBackbone(o.backbone, bw, o.height, o.width, o.engine === 'tfjs');
  let engine: Engine | undefined;
  try {
    const model = { backbone: o.backbone, weightsId: bw.description, width: o.width, height: o.height };
    const extract = (listing: SplitListing, split: string): Promise<FeatureSet> =>
      extractFeatures({
        cacheRoot: o.cacheRoot,
        listing,
        model,
        skipBad: o.skipBad,
        batch: o.extractBatch,
        dtype: o.cacheDtype,
        signal: o.signal,
        label: `features ${split}`,
        openExtractor: async () => (engine ??= await openEngine(staged.pkg, { engine: o.engine, threads: o.threads, graph: 'backbone', arena: false })),
      });
    const trainSet = await extract(splits.train, 'train');
    const validSet = await extract(splits.valid, 'valid');
    const extracted = trainSet.processed + validSet.processed;
    await engine?.dispose();
    engine = undefined;

    const { tf, backend } = await loadTfjs();
    log(`training the head on ${backend}: ${trainSet.manifest.rowInputs.length} rows of ${trainSet.manifest.rowSize} features`);
    const trainRows = await openFeatureRows(trainSet.dir, trainSet.manifest, o.memoryCap);
    const validRows = await openFeatureRows(validSet.dir, validSet.manifest, o.memoryCap);
    const head = await trainHead(tf, trainRows, validRows, featureShape(o.backbone, o.height, o.width), classes.length, o.head, log).finally(async () => {
      await trainRows.close();
      await validRows.close();
    });
    const history = head.history;
    const layers = backboneLayers(o.backbone);
    let weights: WeightSet = new Map([...bw.weights, ...head.weights]);
    if (o.fineTune > 0) {
      const usable = (set: FeatureSet): { path: string; label: number }[] => set.manifest.rowInputs.map((i) => set.manifest.inputs[i]);
      weights = await trainEndToEnd(
        tf,
        {
          layers: [...layers, ...head.layers],
          weights,
          height: o.height,
          width: o.width,
          trainableFrom: trainableFrom(layers, o.fineTune),
          train: usable(trainSet),
          valid: usable(validSet),
          mirror: mirrorClasses(classes),
          augment: augmentPreset(o.augment),
          paste: o.paste,
          cfg: o.fineTuneCfg,
          stage: 'fine-tune',
        },
        history,
        log,
      );
    }
    log('package: exporting ONNX and tfjs, then evaluating on the test split');
    const built = await buildPackage({
      opts: o,
      classes,
      splits,
      fingerprint: await datasetFingerprint(splits),
      weightsId: bw.description,
      backbone: layers,
      head: head.layers,
      weights,
      history,
      stagingDir: staged.pkg.dir,
      log,
    });
    return { ...built, history, extracted };
  } finally {
    await engine?.dispose();
    await staged.remove();
  }
}

/** Seed of `--weights random[:seed]`, the only weights a from-scratch run starts from. */
function randomSeed(weights: string): number {
  const m = /^random(?::(\d+))?$/.exec(weights);
  if (!m) throw new UserError(`--weights ${weights}: --from-scratch starts from random weights (random[:seed])`);
  return m[1] === undefined ? 1 : Number(m[1]);
}

/** Backbone + head trained together from random weights on augmented images: no feature cache. */
async function trainFromScratch(o: TrainOptions, splits: Splits, log: (line: string) => void): Promise<TrainResult> {
  const seed = randomSeed(o.weights);
  const classes = splits.train.classes;
  const backbone = backboneLayers(o.backbone);
  const head = headLayers({ classes: classes.length, width: o.head.width, depth: o.head.depth, dropout: o.head.dropout, pool: o.head.pool });
  const layers = [...backbone, ...head];
  const { tf, backend } = await loadTfjs();
  log(`backbone: ${o.backbone} ${o.width}x${o.height} from random weights (seed ${seed}, ${o.init} init), trained end to end on ${backend}`);
  const history = emptyHistory();
  const weights = await trainEndToEnd(
    tf,
    {
      layers,
      weights: randomWeights(layers, [o.height, o.width, 3], seed, o.init),
      height: o.height,
      width: o.width,
      train: splits.train.items,
      valid: splits.valid.items,
      mirror: mirrorClasses(classes),
      augment: augmentPreset(o.augment),
      paste: o.paste,
      cfg: o.head,
      stage: 'scratch',
    },
    history,
    log,
  );
  // Named with our pid like the backbone's stage: Ctrl-C removes it, kill -9's is removed next run.
  await removeStaleTemps(os.tmpdir(), (name) => (/^ss-scratch-\d+-/.test(name) ? Number(name.split('-')[2]) : null));
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), `ss-scratch-${process.pid}-`));
  const untrack = removeOnInterrupt(staging);
  try {
    const built = await buildPackage({
      opts: o,
      classes,
      splits,
      fingerprint: await datasetFingerprint(splits),
      weightsId: `trained from scratch (random init seed ${seed})`,
      backbone: foldedLayers(backbone),
      head,
      weights,
      history,
      stagingDir: staging,
      log,
    });
    return { ...built, history, extracted: 0 };
  } finally {
    untrack();
    await fs.rm(staging, { recursive: true, force: true });
  }
}
