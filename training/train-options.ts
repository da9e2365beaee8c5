// What `train` is asked to do, checked at the command's edge: the one type train.ts and
// package-output.ts both read (kept apart so neither imports the other's module for it).
import type { BackboneName } from '../engine/backbones.ts';
import type { EngineKind } from '../engine/engine.ts';
import type { AugmentPreset } from './augment.ts';
import type { WeightInit } from '../engine/backbones.ts';
import type { FitConfig } from './fit-loop.ts';
import type { HeadConfig } from './head-trainer.ts';
import type { CacheDtype } from './cache-store.ts';

export interface TrainOptions {
  data: string;
  backbone: BackboneName;
  weights: string;
  height: number;
  width: number;
  name: string;
  out: string;
  /** Exact package folder; default `<out>/<YYYY-MM-DD-HH-MM>-<name>`. */
  packageDir?: string;
  head: HeadConfig;
  engine: EngineKind;
  threads?: number;
  skipBad: boolean;
  /** Conv blocks to unfreeze after the head is trained; 0 = none. */
  fineTune: number;
  fineTuneCfg: FitConfig;
  /** Train backbone and head end to end from random weights (no feature cache); `head` holds its fit settings. */
  fromScratch: boolean;
  /** Augmentation for end-to-end training (fine-tuning and from scratch). */
  augment: AugmentPreset;
  /** Share of training frames (0-1) whose figure is pasted onto another background (paste.ts); needs masks. */
  paste: number;
  /** How --from-scratch draws its random weights (engine/backbones.ts WeightInit). */
  init: WeightInit;
  cacheRoot: string;
  extractBatch: number;
  /** How new feature-cache entries store values (default float16). */
  cacheDtype?: CacheDtype;
  memoryCap: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Fixes the package's date stamp (tests). */
  now?: Date;
}
