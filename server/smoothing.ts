// Per-region temporal smoothing: an EMA of the class probabilities plus hysteresis, so the overlay
// never flickers on one odd frame. Pure: time comes in with each observation.
import { UNKNOWN } from './protocol.ts';
import type { SmoothingSettings } from './protocol.ts';

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
