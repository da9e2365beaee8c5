// The one state store (TournamentStreamHelper's idea): regions, overrides, smoothed labels and the
// latest frame's results live here; every change comes out as the protocol message that describes
// it, and a page that (re)connects gets the whole thing at once.
import type { Frame } from '../source/frames.ts';
import type { Metrics } from './metrics.ts';
import type { Batch } from './prepare.ts';
import { PROTOCOL_VERSION, UNKNOWN, WHOLE_FRAME } from './protocol.ts';
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
import { Smoother } from './smoothing.ts';

export const TOP_K = 3;

export interface StoreOptions {
  labels: string[];
  smoothing: SmoothingSettings;
  regions: RegionSpec[];
  engine: EngineStatus;
  metrics: Metrics;
  source: () => SourceStatus;
}

export type PredictionUpdate = { prediction: Omit<PredictionMessage, 'publishedAt'>; labels: LabelMessage[] };

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
    return {
      protocol: PROTOCOL_VERSION,
      labels: [...this.o.labels],
      regions: [...this.slots.values()].map((s) => ({ ...s.view, rect: s.view.rect && { ...s.view.rect }, top: [...s.view.top] })),
      overrides,
      smoothing: { ...this.o.smoothing },
      source: this.o.source(),
      engine: this.o.engine,
      metrics: this.o.metrics.summary(),
      seq: this.seq,
      capturedAt: this.capturedAt,
      previewUrl: '/api/preview.jpg',
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
    return this.applyPrediction(batch.names, probs, frame.seq, frame.capturedAt);
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
