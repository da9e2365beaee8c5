// One engine for several setups: each setup's pipeline calls run() as if the engine were its own,
// and while the engine computes, the crops every other setup hands in wait here and then go as
// one batch. The engine never waits for crops (a lone request runs at once), so one setup loses
// no latency and four setups share each engine call. Each pipeline keeps its own newest-frame
// policy: it has at most one request here at a time, so nothing queues beyond one per setup.
import type { Engine } from '../engine/engine.ts';

interface Request {
  data: Uint8Array;
  n: number;
  resolve: (probs: Float32Array) => void;
  reject: (err: Error) => void;
}

export class EngineQueue implements Pick<Engine, 'run'> {
  private waiting: Request[] = [];
  private busy = false;
  /** Engine calls and the crops they carried (the benchmark reports how full batches were). */
  calls = 0;
  items = 0;

  constructor(private readonly engine: Pick<Engine, 'run' | 'outputSize'>) {}

  run(data: Uint8Array, n: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ data, n, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.busy || this.waiting.length === 0) return;
    const group = this.waiting.splice(0);
    const n = group.reduce((sum, r) => sum + r.n, 0);
    const data = group.length === 1 ? group[0]!.data : Buffer.concat(group.map((r) => r.data));
    this.busy = true;
    this.calls++;
    this.items += n;
    this.engine.run(data, n).then(
      (probs) => {
        this.busy = false;
        // Each request gets its own rows; subarray shares the buffer (no copy).
        const width = this.engine.outputSize;
        let row = 0;
        for (const r of group) {
          r.resolve(group.length === 1 ? probs : probs.subarray(row * width, (row + r.n) * width));
          row += r.n;
        }
        this.next();
      },
      (err: unknown) => {
        this.busy = false;
        const e = err instanceof Error ? err : new Error(String(err));
        for (const r of group) r.reject(e);
        this.next();
      },
    );
  }
}
