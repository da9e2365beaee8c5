// Writes into OBS through obs-websocket what the server's state asks for (a label into a text
// source, the program scene), over one connection of its own. It reads the state a few times a
// second rather than hooking the publish and override paths, so what it writes is exactly what
// the overlay shows, overrides included; a value is sent only when it changes. OBS going away is
// not an error of the run: the writer reconnects at its next change, with a backoff, says so once
// per distinct failure, and writes everything again into the OBS that comes back.
import type { OBSWebSocket } from 'obs-websocket-js';
import type { ObsConnection } from '../source/obs-connection.ts';

/** One value OBS should hold: sent when it differs from what was last written under `key`. */
export interface ObsWrite {
  key: string;
  value: string;
  /** What OBS names in an error: the text source or the scene. */
  target: { kind: 'source' | 'scene'; name: string };
  send(obs: OBSWebSocket): Promise<unknown>;
}

const TICK_MS = 250;
const RETRY_MS = { initial: 1000, max: 10_000 };

export class ObsWriter {
  private obs: OBSWebSocket | undefined;
  private readonly written = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  private retryAt = 0;
  private failures = 0;
  private lastError = '';

  constructor(
    private readonly o: {
      conn: ObsConnection;
      /** The flag the writes come from, for log lines (`--obs-text`). */
      flag: string;
      /** What OBS should hold now (called every tick). */
      wanted: () => ObsWrite[];
      log: (line: string) => void;
    },
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    return this;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    void this.obs?.disconnect().catch(() => {});
  }

  private async tick(): Promise<void> {
    if (this.busy || this.closed || performance.now() < this.retryAt) return;
    const due = this.o.wanted().filter((w) => this.written.get(w.key) !== w.value);
    if (due.length === 0) return;
    this.busy = true;
    let current = due[0]!;
    try {
      const obs = this.obs ?? (await this.connect());
      for (const w of due) {
        current = w;
        await w.send(obs);
        this.written.set(w.key, w.value);
      }
      this.failures = 0;
      this.lastError = '';
    } catch (err) {
      const { describeObsError } = await import('../source/obs.ts');
      const message = describeObsError(err, this.o.conn, current.target.name, current.target.kind);
      const wait = Math.min(RETRY_MS.max, RETRY_MS.initial * 2 ** this.failures++);
      this.retryAt = performance.now() + wait;
      if (message !== this.lastError) this.o.log(`${this.o.flag}: ${message}; trying again in ${wait} ms`);
      this.lastError = message;
      void this.obs?.disconnect().catch(() => {});
      this.obs = undefined;
    } finally {
      this.busy = false;
    }
  }

  private async connect(): Promise<OBSWebSocket> {
    const { connectObs } = await import('../source/obs.ts');
    const obs = await connectObs(this.o.conn);
    if (this.closed) {
      void obs.disconnect().catch(() => {});
      throw new Error('closed');
    }
    // OBS gone (quit, crashed): the next tick reconnects and writes everything again.
    obs.on('ConnectionClosed', () => {
      if (this.obs !== obs) return;
      this.obs = undefined;
      this.written.clear();
    });
    this.obs = obs;
    return obs;
  }
}
