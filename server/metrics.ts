// What the pipeline measures: counters, per-stage latency histograms (roboflow's watchdog idea:
// every frame carries stage timestamps) and rates. Rendered as Prometheus text for /metrics and
// summarised for the pages' status messages.
import type { MetricsSummary } from './protocol.ts';

/** Milliseconds; Prometheus-style cumulative buckets. */
const BUCKETS_MS = [1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 500, 1000, 2500];

export class Histogram {
  readonly counts = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.sum += ms;
    this.count++;
  }

  render(name: string, labels: string): string[] {
    const out: string[] = [];
    const pre = labels ? `${labels},` : '';
    const own = labels ? `{${labels}}` : '';
    let cum = 0;
    BUCKETS_MS.forEach((b, i) => {
      cum += this.counts[i]!;
      out.push(`${name}_bucket{${pre}le="${b / 1000}"} ${cum}`);
    });
    out.push(`${name}_bucket{${pre}le="+Inf"} ${this.count}`);
    out.push(`${name}_sum${own} ${(this.sum / 1000).toFixed(6)}`, `${name}_count${own} ${this.count}`);
    return out;
  }
}

/** Events per second over a sliding window of timestamps. */
export class RateMeter {
  private times: number[] = [];
  constructor(private readonly windowMs = 3000) {}

  mark(t = performance.now()): void {
    this.times.push(t);
    if (this.times.length > 4096) this.times.splice(0, this.times.length - 2048);
  }

  rate(now = performance.now()): number {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.times.length && this.times[i]! < from) i++;
    if (i > 0) this.times.splice(0, i);
    return this.times.length / (this.windowMs / 1000);
  }
}

/** Recent values (bounded ring) for percentiles in the status summary and the bench. */
export class Recent {
  private values: number[] = [];
  constructor(private readonly size = 512) {}

  add(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }

  percentile(p: number): number | null {
    return percentile(this.values, p);
  }

  get length(): number {
    return this.values.length;
  }
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** wait: capture → picked up by the engine loop; total: capture → WebSocket send. */
export const STAGES = ['wait', 'preprocess', 'infer', 'smooth', 'publish', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export class Metrics {
  framesIn = 0;
  framesOut = 0;
  dropped = 0;
  restarts = 0;
  clients = 0;
  clientsDropped = 0;
  readonly inRate = new RateMeter();
  readonly outRate = new RateMeter();
  readonly stages = new Map<Stage, Histogram>(STAGES.map((s) => [s, new Histogram()]));
  readonly latency = new Recent();
  readonly glass = new Recent();
  readonly glassHist = new Histogram();
  /** Draw → paint, where the source stamps when it drew a frame (the synthetic game). */
  readonly drawToPaint = new Recent();
  readonly drawToPaintHist = new Histogram();

  frameIn(): void {
    this.framesIn++;
    this.inRate.mark();
  }

  /** stage durations in ms; `total` is capture → publish. */
  frameOut(durations: Record<Stage, number>): void {
    this.framesOut++;
    this.outRate.mark();
    for (const s of STAGES) this.stages.get(s)!.observe(durations[s]);
    this.latency.add(durations.total);
  }

  painted(ms: number, fromDrawMs?: number): void {
    this.glass.add(ms);
    this.glassHist.observe(ms);
    if (fromDrawMs === undefined) return;
    this.drawToPaint.add(fromDrawMs);
    this.drawToPaintHist.observe(fromDrawMs);
  }

  summary(): MetricsSummary {
    const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
    return {
      fpsIn: round(this.inRate.rate())!,
      fpsOut: round(this.outRate.rate())!,
      dropped: this.dropped,
      latencyP50Ms: round(this.latency.percentile(50)),
      latencyP95Ms: round(this.latency.percentile(95)),
      glassP50Ms: round(this.glass.percentile(50)),
      drawToPaintP50Ms: round(this.drawToPaint.percentile(50)),
      clients: this.clients,
    };
  }

  /** Prometheus text for this one (a server with one setup: no setup label, as it always was). */
  prometheus(): string {
    return prometheus([{ metrics: this }]);
  }

  /** Each metric's samples, every one carrying `label` (e.g. setup="a"; '' for none). */
  families(label: string): Family[] {
    const l = (extra: string): string => [label, extra].filter(Boolean).join(',');
    const plain = (name: string, value: number | string, extra = ''): string => `${name}${l(extra) ? `{${l(extra)}}` : ''} ${value}`;
    return [
      family('smashsight_frames_in_total', 'counter', 'Frames delivered by the source.', [plain('smashsight_frames_in_total', this.framesIn)]),
      family('smashsight_frames_out_total', 'counter', 'Frames classified and published.', [plain('smashsight_frames_out_total', this.framesOut)]),
      family('smashsight_frames_dropped_total', 'counter', 'Frames replaced by a newer one while the engine was busy.', [
        plain('smashsight_frames_dropped_total', this.dropped),
      ]),
      family('smashsight_fps', 'gauge', 'Frames per second over the last 3 s.', [
        plain('smashsight_fps', this.inRate.rate().toFixed(2), 'direction="in"'),
        plain('smashsight_fps', this.outRate.rate().toFixed(2), 'direction="out"'),
      ]),
      family('smashsight_source_restarts_total', 'counter', 'Times the source was restarted after dying.', [
        plain('smashsight_source_restarts_total', this.restarts),
      ]),
      family('smashsight_clients', 'gauge', 'WebSocket clients connected.', [plain('smashsight_clients', this.clients)]),
      family('smashsight_clients_dropped_total', 'counter', 'Clients disconnected for not reading, or for sending too much.', [
        plain('smashsight_clients_dropped_total', this.clientsDropped),
      ]),
      family(
        'smashsight_stage_seconds',
        'histogram',
        'Per-stage latency; total is capture to WebSocket send.',
        STAGES.flatMap((s) => this.stages.get(s)!.render('smashsight_stage_seconds', l(`stage="${s}"`))),
      ),
      family('smashsight_glass_seconds', 'histogram', 'Capture to paint, as reported by pages.', this.glassHist.render('smashsight_glass_seconds', label)),
      family(
        'smashsight_draw_to_paint_seconds',
        'histogram',
        'Source draw to paint, where the source stamps its frames (synthetic game).',
        this.drawToPaintHist.render('smashsight_draw_to_paint_seconds', label),
      ),
    ];
  }
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  samples: string[];
}

const family = (name: string, type: Family['type'], help: string, samples: string[]): Family => ({ name, type, help, samples });

/** Prometheus text for several setups' metrics: one HELP/TYPE per metric, a `setup` label on each sample when a setup is named. */
export function prometheus(entries: { setup?: string; metrics: Metrics }[]): string {
  const all = entries.map((e) => e.metrics.families(e.setup === undefined ? '' : `setup="${e.setup}"`));
  const lines: string[] = [];
  all[0]!.forEach((f, i) => lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...all.flatMap((fs) => fs[i]!.samples)));
  return `${lines.join('\n')}\n`;
}
