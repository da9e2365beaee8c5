// The publish stage: a label change goes out at once, after its frame's prediction; other
// predictions are rate-limited (MAX_PREDICTIONS_PER_SECOND in ws-hub.ts), newest wins. It keeps
// recent predictions' capture times so a page's `painted` report gives glass-to-glass latency.
import { now } from '../kit/clock.ts';
import type { Metrics } from './metrics.ts';
import type { PaintedMessage, ServerMessage } from './protocol.ts';
import type { PredictionUpdate } from './store.ts';
import type { WsHub } from './ws-hub.ts';

/** Predictions remembered for `painted` reports; a page paints within a few frames or not at all. */
const REMEMBERED = 512;

export class PublishStage {
  private readonly captured = new Map<number, number>(); // seq → capturedAt

  constructor(
    private readonly hub: Pick<WsHub, 'broadcast' | 'broadcastLatest' | 'sendLatest'>,
    private readonly metrics: Pick<Metrics, 'painted'>,
  ) {}

  publish(u: PredictionUpdate): void {
    this.captured.set(u.prediction.seq, u.prediction.capturedAt);
    if (this.captured.size > REMEMBERED) this.captured.delete(this.captured.keys().next().value!);
    const message = (): ServerMessage => ({ ...u.prediction, publishedAt: now() });
    if (u.labels.length === 0) this.hub.broadcastLatest(message);
    else {
      this.hub.sendLatest(message);
      for (const l of u.labels) this.hub.broadcast(l);
    }
  }

  /** A page reported painting a prediction: capture → paint, if it is one still remembered. */
  painted(m: PaintedMessage): void {
    const at = this.captured.get(m.seq);
    if (at !== undefined) this.metrics.painted(m.paintedAt - at);
  }
}
