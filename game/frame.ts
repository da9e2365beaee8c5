// One dataset frame as a pure function of (seed, labels, index): the seed and the combo key pick
// the frame's own random stream, so adding a character never changes another's frames.
import type { GameLook, SceneLabels, SceneSpec } from './scene.ts';
import type { SceneMeta } from './render.ts';
import type { Raster } from './raster.ts';
import { Rng, hashKey } from '../kit/rng.ts';
import { randomScene } from './scene.ts';
import { renderScene } from './render.ts';

export function comboKey(l: SceneLabels): string {
  return `${l.character}_${l.color}_${l.stage}_${l.orientation}`;
}

export function datasetScene(seed: number, labels: SceneLabels, index: number, width: number, height: number, look: GameLook): SceneSpec {
  return randomScene(new Rng(hashKey(seed, `${comboKey(labels)}#${index}`)), labels, width, height, look);
}

/** Renders dataset frame `index` of a combo into `r` (sized width x height) and returns its metadata. */
export function renderDatasetFrame(r: Raster, seed: number, labels: SceneLabels, index: number, look: GameLook): SceneMeta {
  return renderScene(r, datasetScene(seed, labels, index, r.width, r.height, look));
}
