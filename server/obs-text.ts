// Writes each mapped region's shown label into an OBS text source (`--obs-text p1=P1 Character`)
// through obs-websocket's SetInputSettings, so a scene can show it without a browser source.
// It reads the store's snapshot a few times a second rather than hooking the publish and override
// paths: what it writes is exactly what the overlay shows, overrides included, and a text is sent
// only when it changes. OBS going away is not an error of the run: the writer reconnects at its
// next change, with a backoff, and says so once per distinct failure.
import type { OBSWebSocket } from 'obs-websocket-js';
import { UserError } from '../kit/errors.ts';
import type { ObsConnection } from '../source/obs-connection.ts';
import type { State } from './protocol.ts';

export interface ObsTextTarget {
  region: string;
  /** The OBS input (a Text source: text_ft2_source_v2 on Linux/macOS, text_gdiplus on Windows). */
  input: string;
}

const TICK_MS = 250;
const RETRY_MS = { initial: 1000, max: 10_000 };

/** `region=OBS source name` items (from --obs-text or the config file's list), checked once. */
export function parseObsTextTargets(where: string, items: unknown, regions: string[]): ObsTextTarget[] {
  if (!Array.isArray(items)) throw new UserError(`${where}: must be a list of region=OBS text source items`);
  return items.map((item) => {
    const eq = typeof item === 'string' ? item.indexOf('=') : -1;
    if (typeof item !== 'string' || eq <= 0 || eq === item.length - 1) {
      throw new UserError(`${where}: ${JSON.stringify(item)} is not region=OBS text source (e.g. p1=P1 Character)`);
    }
    const region = item.slice(0, eq);
    if (!regions.includes(region)) throw new UserError(`${where}: no region '${region}' (regions: ${regions.join(', ')})`);
    return { region, input: item.slice(eq + 1) };
  });
}

export class ObsTextWriter {
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
      targets: ObsTextTarget[];
      snapshot: () => State;
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
    const views = this.o.snapshot().regions;
    const due = this.o.targets
      .map((t) => {
        const label = views.find((v) => v.name === t.region)?.label ?? 'unknown';
        return { input: t.input, text: label === 'unknown' ? '' : label };
      })
      .filter((w) => this.written.get(w.input) !== w.text);
    if (due.length === 0) return;
    this.busy = true;
    try {
      const obs = this.obs ?? (await this.connect());
      for (const w of due) {
        await obs.call('SetInputSettings', { inputName: w.input, inputSettings: { text: w.text } });
        this.written.set(w.input, w.text);
      }
      this.failures = 0;
      this.lastError = '';
    } catch (err) {
      const { describeObsError } = await import('../source/obs.ts');
      const message = describeObsError(err, this.o.conn, due[0]!.input);
      const wait = Math.min(RETRY_MS.max, RETRY_MS.initial * 2 ** this.failures++);
      this.retryAt = performance.now() + wait;
      if (message !== this.lastError) this.o.log(`--obs-text: ${message}; trying again in ${wait} ms`);
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
