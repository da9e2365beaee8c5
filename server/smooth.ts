// The smooth stage: one engine result into the state store, which smooths each region (smoothing.ts)
// and applies overrides; what comes back is the prediction and any label changes to publish.
import type { Frame } from '../source/frames.ts';
import type { Batch } from './prepare.ts';
import type { PredictionUpdate, StateStore } from './store.ts';

export class SmoothStage {
  constructor(private readonly store: Pick<StateStore, 'applyPrediction'>) {}

  smooth(frame: Frame, batch: Batch, probs: Float32Array): PredictionUpdate {
    return this.store.applyPrediction(batch.names, probs, frame.seq, frame.capturedAt);
  }
}
