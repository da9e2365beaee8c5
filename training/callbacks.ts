// Keras' EarlyStopping and ReduceLROnPlateau (2.x semantics, mode 'min' on val_loss) as small
// state machines: tfjs has no ReduceLROnPlateau, and these stay testable without a model.

export interface EarlyStoppingOptions {
  minDelta: number;
  patience: number;
}

/** Stops when val_loss has not improved by more than minDelta for `patience` epochs. */
export class EarlyStopping {
  private best = Infinity;
  private wait = 0;
  constructor(private readonly o: EarlyStoppingOptions) {}

  /** Returns true when training should stop after this epoch. */
  onEpochEnd(valLoss: number): boolean {
    if (valLoss < this.best - this.o.minDelta) {
      this.best = valLoss;
      this.wait = 0;
      return false;
    }
    this.wait += 1;
    return this.wait >= this.o.patience;
  }
}

export interface ReduceLrOptions {
  factor: number;
  patience: number;
  minLr: number;
  /** Keras' default threshold for "improved" (1e-4). */
  minDelta?: number;
}

/** Multiplies the learning rate by `factor` after `patience` epochs without improvement. */
export class ReduceLrOnPlateau {
  private best = Infinity;
  private wait = 0;
  constructor(private readonly o: ReduceLrOptions) {}

  /** Returns the learning rate to use from the next epoch on. */
  onEpochEnd(valLoss: number, lr: number): number {
    if (valLoss < this.best - (this.o.minDelta ?? 1e-4)) {
      this.best = valLoss;
      this.wait = 0;
      return lr;
    }
    this.wait += 1;
    if (this.wait < this.o.patience || lr <= this.o.minLr) return lr;
    this.wait = 0;
    return Math.max(lr * this.o.factor, this.o.minLr);
  }
}

/** Per-epoch figures in Keras' History shape (one array per metric). */
export interface TrainingHistory {
  loss: number[];
  acc: number[];
  val_loss: number[];
  val_acc: number[];
  lr: number[];
  seconds: number[];
  stopped_early: boolean;
  /** Which stage produced each epoch ('head' or 'fine-tune'). */
  stage: string[];
}

export function emptyHistory(): TrainingHistory {
  return { loss: [], acc: [], val_loss: [], val_acc: [], lr: [], seconds: [], stopped_early: false, stage: [] };
}

export interface EpochFigures {
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
  seconds: number;
}

export function recordEpoch(h: TrainingHistory, f: EpochFigures, stage: string): void {
  h.loss.push(f.loss);
  h.acc.push(f.acc);
  h.val_loss.push(f.valLoss);
  h.val_acc.push(f.valAcc);
  h.lr.push(f.lr);
  h.seconds.push(f.seconds);
  h.stage.push(stage);
}

/** `Epoch 3/15 - loss 0.4100 - acc 0.8800 - val_loss 0.3500 - val_acc 0.9100 - lr 1e-4 - 12.3s` */
export function formatEpoch(epoch: number, epochs: number, f: EpochFigures): string {
  const lr = Number(f.lr.toPrecision(3)).toExponential();
  return (
    `Epoch ${epoch}/${epochs} - loss ${f.loss.toFixed(4)} - acc ${f.acc.toFixed(4)} - ` +
    `val_loss ${f.valLoss.toFixed(4)} - val_acc ${f.valAcc.toFixed(4)} - lr ${lr} - ${f.seconds.toFixed(1)}s`
  );
}
