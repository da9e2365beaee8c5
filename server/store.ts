// The one state store (TournamentStreamHelper's idea): regions, overrides, smoothed labels and the
// latest frame's results live here; every change comes out as the protocol message that describes
// it, and a page that (re)connects gets the whole thing at once. It is the pipeline's smooth stage:
// each region's engine result goes through its Smoother (below) into the region's view.
import type { Frame } from '../source/frames.ts';
import type { Metrics } from './metrics.ts';
import type { Batch } from './prepare.ts';
import { DEFAULT_SETUP, PROTOCOL_VERSION, UNKNOWN, WHOLE_FRAME } from './protocol.ts';
import type {
  EngineStatus,
  Guess,
  LabelMessage,
  Parsed,
  PredictionMessage,
  RegionPrediction,
  RegionSpec,
  RegionView,
  SmoothingSettings,
  SourceStatus,
  State,
} from './protocol.ts';

export const TOP_K = 3;

export interface StoreOptions {
  labels: string[];
  smoothing: SmoothingSettings;
  regions: RegionSpec[];
  engine: EngineStatus;
  metrics: Metrics;
  source: () => SourceStatus;
  /** This store's setup and every setup of the server (default: the one `default`). */
  setup?: string;
  setups?: readonly string[];
}

export type PredictionUpdate = {
  prediction: Omit<PredictionMessage, 'publishedAt'>;
  labels: LabelMessage[];
  /** When the source drew the frame, where it says (the synthetic game). */
  drawnAt?: number;
};

interface Slot {
  view: RegionView;
  smoother: Smoother;
  confidence: number;
}

export function topK(probs: ArrayLike<number>, offset: number, labels: readonly string[], k = TOP_K): Guess[] {
  const idx: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const p = probs[offset + i]!;
    let j = idx.length;
    while (j > 0 && probs[offset + idx[j - 1]!]! < p) j--;
    if (j < k) {
      idx.splice(j, 0, i);
      if (idx.length > k) idx.pop();
    }
  }
  return idx.map((i) => ({ label: labels[i]!, p: Math.round(probs[offset + i]! * 1e4) / 1e4 }));
}

export class StateStore {
  private slots = new Map<string, Slot>();
  private overrides = new Map<string, string>();
  private regionList: RegionSpec[] = [];
  private seq: number | null = null;
  private capturedAt: number | null = null;

  constructor(private readonly o: StoreOptions) {
    this.setRegions(o.regions);
  }

  get regions(): readonly RegionSpec[] {
    return this.regionList;
  }

  get labels(): readonly string[] {
    return this.o.labels;
  }

  get engine(): EngineStatus {
    return this.o.engine;
  }

  snapshot(): State {
    const overrides: Record<string, string> = {};
    for (const [k, v] of this.overrides) overrides[k] = v;
    const setup = this.o.setup ?? DEFAULT_SETUP;
    return {
      protocol: PROTOCOL_VERSION,
      setup,
      setups: [...(this.o.setups ?? [setup])],
      labels: [...this.o.labels],
      regions: [...this.slots.values()].map((s) => ({ ...s.view, rect: s.view.rect && { ...s.view.rect }, top: [...s.view.top] })),
      overrides,
      smoothing: { ...this.o.smoothing },
      source: this.o.source(),
      engine: this.o.engine,
      metrics: this.o.metrics.summary(),
      seq: this.seq,
      capturedAt: this.capturedAt,
      // One setup keeps the URL it always had; with several, the query says whose frame.
      previewUrl: this.o.setups && this.o.setups.length > 1 ? `/api/preview.jpg?setup=${setup}` : '/api/preview.jpg',
    };
  }

  /** Replaces the region set; regions that stay keep their smoothing and overrides. */
  setRegions(regions: RegionSpec[]): void {
    const names = regions.length ? regions.map((r) => r.name) : [WHOLE_FRAME];
    const next = new Map<string, Slot>();
    names.forEach((name, i) => {
      const rect = regions[i] ? { x: regions[i].x, y: regions[i].y, w: regions[i].w, h: regions[i].h } : null;
      const old = this.slots.get(name);
      next.set(name, old ? { ...old, view: { ...old.view, rect } } : this.newSlot(name, rect));
    });
    this.slots = next;
    for (const k of [...this.overrides.keys()]) if (!next.has(k)) this.overrides.delete(k);
    this.regionList = regions.map((r) => ({ ...r }));
  }

  /** Sets (label) or clears (null) a region's override; returns the label change, if any. */
  setOverride(region: string, label: string | null): Parsed<LabelMessage | null> {
    const slot = this.slots.get(region);
    if (!slot) return { ok: false, error: `no region '${region}' (regions: ${[...this.slots.keys()].join(', ')})` };
    if (label !== null && label !== UNKNOWN && !this.o.labels.includes(label)) {
      return { ok: false, error: `'${label}' is not a label of this model (${this.o.labels.join(', ')}, ${UNKNOWN})` };
    }
    if (label === null) this.overrides.delete(region);
    else this.overrides.set(region, label);
    return { ok: true, value: this.refresh(slot) };
  }

  /** The pipeline's smooth stage: one frame's engine result into the store. */
  smooth(frame: Frame, batch: Batch, probs: Float32Array): PredictionUpdate {
    const update = this.applyPrediction(batch.names, probs, frame.seq, frame.capturedAt);
    return frame.drawnAt === undefined ? update : { ...update, drawnAt: frame.drawnAt };
  }

  /** Smooths one engine result (n regions × labels probabilities) into views and messages. */
  applyPrediction(names: readonly string[], probs: Float32Array, seq: number, capturedAt: number): PredictionUpdate {
    const n = this.o.labels.length;
    const regions: RegionPrediction[] = [];
    const labels: LabelMessage[] = [];
    this.seq = seq;
    this.capturedAt = capturedAt;
    names.forEach((name, i) => {
      const slot = this.slots.get(name);
      if (!slot) return; // regions changed while this frame was in the engine
      const s = slot.smoother.update(probs, capturedAt, i * n);
      slot.view.top = topK(probs, i * n, this.o.labels);
      slot.view.smoothed = s.label;
      slot.confidence = Math.round(s.confidence * 1e4) / 1e4;
      const change = this.refresh(slot);
      if (change) labels.push(change);
      const v = slot.view;
      regions.push({ name, top: v.top, label: v.label, confidence: v.confidence, overridden: v.overridden, smoothed: v.smoothed });
    });
    return { prediction: { type: 'prediction', seq, capturedAt, regions }, labels };
  }

  private newSlot(name: string, rect: RegionView['rect']): Slot {
    return {
      view: { name, rect, label: UNKNOWN, confidence: 0, overridden: false, smoothed: UNKNOWN, top: [] },
      smoother: new Smoother(this.o.labels, this.o.smoothing),
      confidence: 0,
    };
  }

  /** Recomputes the displayed label from override/smoothed; a LabelMessage when it changed. */
  private refresh(slot: Slot): LabelMessage | null {
    const v = slot.view;
    const override = this.overrides.get(v.name);
    const previous = v.label;
    v.overridden = override !== undefined;
    v.label = override ?? v.smoothed;
    v.confidence = v.overridden ? 1 : slot.confidence;
    if (v.label === previous) return null;
    return {
      type: 'label',
      region: v.name,
      label: v.label,
      previous,
      confidence: v.confidence,
      overridden: v.overridden,
      seq: this.seq,
      capturedAt: this.capturedAt,
    };
  }
}

// Per-region temporal smoothing: an EMA of the class probabilities plus hysteresis, so the overlay
// never flickers on one odd frame. Pure: time comes in with each observation.
export interface Smoothed {
  /** Displayed model label (UNKNOWN under the floor or before the first switch). */
  label: string;
  /** Smoothed probability of `label` (of the leader when `label` is UNKNOWN). */
  confidence: number;
  /** True on the observation that changed `label`. */
  changed: boolean;
}

/**
 * ema: weight of the newest frame (0..1]. A new label takes over only when it beats the shown
 * label's smoothed probability by `margin` and stays at or over `floor`, continuously for `holdMs`;
 * the shown label falls back to UNKNOWN when it stays under `floor` for `holdMs`.
 */
export class Smoother {
  private avg: Float64Array;
  private seen = false;
  private shown = -1; // index into labels, -1 = UNKNOWN
  private challenger = -2; // -2 = none
  private challengerSince = 0;

  constructor(
    private readonly labels: readonly string[],
    private readonly s: SmoothingSettings,
  ) {
    this.avg = new Float64Array(labels.length);
  }

  /** `probs` holds labels.length values starting at `offset`; `t` is ms (capture time). */
  update(probs: ArrayLike<number>, t: number, offset = 0): Smoothed {
    const n = this.labels.length;
    const a = this.seen ? this.s.ema : 1;
    let leader = 0;
    for (let i = 0; i < n; i++) {
      this.avg[i] = this.avg[i]! * (1 - a) + probs[offset + i]! * a;
      if (this.avg[i]! > this.avg[leader]!) leader = i;
    }
    this.seen = true;
    const candidate = this.candidate(leader);
    let changed = false;
    if (candidate === this.shown) {
      this.challenger = -2;
    } else {
      if (candidate !== this.challenger) {
        this.challenger = candidate;
        this.challengerSince = t;
      }
      if (t - this.challengerSince >= this.s.holdMs) {
        this.shown = candidate;
        this.challenger = -2;
        changed = true;
      }
    }
    const label = this.shown < 0 ? UNKNOWN : this.labels[this.shown]!;
    return { label, confidence: this.avg[this.shown < 0 ? leader : this.shown]!, changed };
  }

  /** What the display should move to, judged on this frame alone. */
  private candidate(leader: number): number {
    const pLeader = this.avg[leader]!;
    const pShown = this.shown < 0 ? 0 : this.avg[this.shown]!;
    if (this.shown >= 0 && leader !== this.shown && pLeader >= this.s.floor && pLeader - pShown >= this.s.margin) return leader;
    if (this.shown >= 0 && pShown < this.s.floor) return pLeader >= this.s.floor ? leader : -1;
    if (this.shown < 0 && pLeader >= this.s.floor) return leader;
    return this.shown;
  }

  get probabilities(): ArrayLike<number> {
    return this.avg;
  }
}

export function validateSmoothing(s: SmoothingSettings): string | null {
  if (!(s.ema > 0 && s.ema <= 1)) return `--ema must be in (0, 1], got ${s.ema}`;
  if (!(s.margin >= 0 && s.margin < 1)) return `--margin must be in [0, 1), got ${s.margin}`;
  if (!(s.holdMs >= 0)) return `--hold-ms must be ≥ 0, got ${s.holdMs}`;
  if (!(s.floor >= 0 && s.floor <= 1)) return `--floor must be in [0, 1], got ${s.floor}`;
  return null;
}

export const DEFAULT_SMOOTHING: SmoothingSettings = { ema: 0.3, margin: 0.15, holdMs: 300, floor: 0.5 };
