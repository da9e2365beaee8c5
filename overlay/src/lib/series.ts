// Turns the store's metric samples into the operator page's graph series.

/** One status message's figures, kept by the store for the graphs. */
export interface MetricSample {
  t: number;
  fpsIn: number;
  fpsOut: number;
  dropped: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

export interface GraphSpec {
  title: string;
  unit: string;
  series: Series[];
}

/** Dropped frames per second between samples (the server's counter is cumulative; a restart resets it). */
export function droppedRate(history: MetricSample[]): number[] {
  return history.map((s, i) => {
    if (i === 0) return 0;
    const prev = history[i - 1];
    const dt = (s.t - prev.t) / 1000;
    return dt > 0 ? Math.max(0, s.dropped - prev.dropped) / dt : 0;
  });
}

export function graphSpecs(history: MetricSample[]): GraphSpec[] {
  return [
    {
      title: 'Frames/s',
      unit: 'fps',
      series: [
        { name: 'in', color: '#50a0ff', values: history.map((s) => s.fpsIn) },
        { name: 'out', color: '#5ee0a0', values: history.map((s) => s.fpsOut) },
      ],
    },
    { title: 'Dropped', unit: '/s', series: [{ name: 'dropped', color: '#ff7b7b', values: droppedRate(history) }] },
    {
      title: 'Latency',
      unit: 'ms',
      series: [
        { name: 'p50', color: '#ffc640', values: history.map((s) => s.latencyP50Ms) },
        { name: 'p95', color: '#ff9a40', values: history.map((s) => s.latencyP95Ms) },
      ],
    },
  ];
}
