// Feeds TournamentStreamHelper's scoreboard: each mapped region's character goes to its TSH slot
// once the displayed label is a confident character that has held for the hold time (never
// `unknown`). A slot someone edited is theirs: an override on the operator page (relayed to TSH
// once, as the operator's word) or a change seen in TSH's state that smashsight did not make locks
// it until an unlock, the override's clearing, or the next game (every mapped region back to
// `unknown`: menus between games). TSH being down is a status and a retry with backoff, never a
// crash; what TSH's web server accepts is in tsh-client.ts.
import { UNKNOWN, type Parsed, type SmoothingSettings } from './protocol.ts';
import type { PredictionUpdate } from './store.ts';
import { TshClient } from './tsh-client.ts';
import { tshCharacter, TSH_GAME, type TshCharacter, type TshConfig, type TshSlot } from './tsh-map.ts';

/** operator: an override on the operator page; tsh: the slot was changed in TSH. */
export type TshLock = 'operator' | 'tsh';

export interface TshSlotStatus {
  region: string;
  scoreboard: number;
  team: number;
  player: number;
  /** The TSH character smashsight last set in this game (null: none yet). */
  pushed: string | null;
  pushedAt: number | null;
  /** Held long enough and waiting to go (a push under way, or TSH down). */
  pending: string | null;
  locked: TshLock | null;
  /** The character TSH showed when last read (its codename), null for none or not read yet. */
  inTsh: string | null;
  pushes: number;
  failures: number;
  lastError: string | null;
  retryInMs: number | null;
}

export interface TshStatus {
  url: string;
  /** Whether the latest exchange with TSH succeeded (null before the first). */
  reachable: boolean | null;
  /** The game TSH has loaded (codename), as last read. */
  game: string | null;
  lastError: string | null;
  slots: TshSlotStatus[];
}

export interface TshFeederOptions {
  config: TshConfig;
  smoothing: Pick<SmoothingSettings, 'holdMs' | 'floor'>;
  client?: TshClient;
  log?: (line: string) => void;
}

/** POST /api/tsh/unlock's body: { region }. */
export function validateUnlockBody(raw: unknown): Parsed<{ region: string }> {
  const region = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).region : undefined;
  return typeof region === 'string' ? { ok: true, value: { region } } : { ok: false, error: 'body must be { "region": "<name>" }' };
}

export const DEFAULT_TSH_POLL_MS = 1000;
const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 10_000 };
/** Pushed characters not yet seen in TSH's state: a few (TSH applies a push within one Qt tick). */
const MAX_UNCONFIRMED = 8;

interface Slot extends TshSlot {
  held: { label: string; since: number } | null;
  want: TshCharacter | null;
  /** The operator's override: goes to TSH even though it locks the slot. */
  relay: boolean;
  sent: TshCharacter | null;
  sentAt: number | null;
  /** Codenames pushed and not yet seen in TSH's state, oldest first. */
  unconfirmed: string[];
  /** TSH's character as last read: undefined before the first read. */
  seen: string | null | undefined;
  lock: TshLock | null;
  busy: boolean;
  retry: ReturnType<typeof setTimeout> | null;
  retryAt: number | null;
  failuresInRow: number;
  pushes: number;
  failures: number;
  lastError: string | null;
}

export class TshFeeder {
  private readonly slots: Slot[];
  private readonly client: TshClient;
  private readonly log: (line: string) => void;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly abort = new AbortController();
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private pollFailures = 0;
  private reachable: boolean | null = null;
  private lastError: string | null = null;
  private game: string | null = null;
  private inGame = false;
  private closed = false;

  constructor(private readonly o: TshFeederOptions) {
    this.client = o.client ?? new TshClient(o.config.url);
    this.log = o.log ?? (() => {});
    this.backoff = o.config.backoff ?? DEFAULT_BACKOFF;
    this.slots = o.config.slots.map((s) => ({
      ...s,
      held: null,
      want: null,
      relay: false,
      sent: null,
      sentAt: null,
      unconfirmed: [],
      seen: undefined,
      lock: null,
      busy: false,
      retry: null,
      retryAt: null,
      failuresInRow: 0,
      pushes: 0,
      failures: 0,
      lastError: null,
    }));
    this.schedulePoll(0);
  }

  /** The publish stage's update (one frame's smoothed regions), in frame time. */
  observe(update: PredictionUpdate): void {
    const t = update.prediction.capturedAt;
    const regions = new Map(update.prediction.regions.map((r) => [r.name, r]));
    const mapped = this.slots.map((s) => regions.get(s.region));
    if (mapped.every((r) => r !== undefined)) {
      if (mapped.some((r) => r.smoothed !== UNKNOWN)) this.inGame = true;
      else if (this.inGame) this.nextGame();
    }
    for (const s of this.slots) {
      const r = regions.get(s.region);
      if (!r || r.overridden) continue; // an override went through override()
      const c = r.label === UNKNOWN || r.confidence < this.o.smoothing.floor ? null : tshCharacter(r.label);
      if (!c) {
        s.held = null;
        continue;
      }
      if (s.held?.label !== r.label) s.held = { label: r.label, since: t };
      if (t - s.held.since >= this.o.smoothing.holdMs && !s.lock) {
        s.want = c;
        this.pump(s);
      }
    }
  }

  /** A publish stage that runs `publish`, then sees the update (the WebSocket goes first). */
  after(publish: { publish(update: PredictionUpdate): void }): { publish(update: PredictionUpdate): void } {
    return {
      publish: (update) => {
        publish.publish(update);
        this.observe(update);
      },
    };
  }

  /** An override set (label) or cleared (null) on the operator page. */
  override(region: string, label: string | null): void {
    const s = this.slots.find((x) => x.region === region);
    if (!s) return;
    if (label === null) {
      this.release(s, 'override cleared');
      return;
    }
    s.lock = 'operator';
    s.held = null;
    const c = label === UNKNOWN ? null : tshCharacter(label);
    if (c) {
      s.want = c;
      s.relay = true;
      this.pump(s);
    }
    this.log(`tsh: ${region} locked (override '${label}' on the operator page)`);
  }

  /** POST /api/tsh/unlock: smashsight may set the slot again (after the hold time). */
  unlock(region: string): Parsed<TshStatus> {
    const s = this.slots.find((x) => x.region === region);
    if (!s) return { ok: false, error: `no TSH slot for region '${region}' (mapped: ${this.slots.map((x) => x.region).join(', ')})` };
    this.release(s, 'unlocked');
    return { ok: true, value: this.status() };
  }

  /** For /health: whether TSH answers, and why not. */
  health(): { reachable: boolean | null; lastError: string | null } {
    return { reachable: this.reachable, lastError: this.lastError };
  }

  lockOf(region: string): TshLock | null {
    return this.slots.find((s) => s.region === region)?.lock ?? null;
  }

  status(): TshStatus {
    const t = Date.now();
    return {
      url: this.o.config.url,
      reachable: this.reachable,
      game: this.game,
      lastError: this.lastError,
      slots: this.slots.map((s) => ({
        region: s.region,
        scoreboard: s.scoreboard,
        team: s.team,
        player: s.player,
        pushed: s.sent?.en ?? null,
        pushedAt: s.sentAt,
        pending: s.want && (s.relay || (!s.lock && s.want.codename !== s.sent?.codename)) ? s.want.en : null,
        locked: s.lock,
        inTsh: s.seen ?? null,
        pushes: s.pushes,
        failures: s.failures,
        lastError: s.lastError,
        retryInMs: s.retryAt === null ? null : Math.max(0, s.retryAt - t),
      })),
    };
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const s of this.slots) if (s.retry) clearTimeout(s.retry);
  }

  private release(s: Slot, why: string): void {
    const was = s.lock;
    s.lock = null;
    s.relay = false;
    s.held = null;
    // Push again even the same character: TSH may show someone else's since.
    s.sent = null;
    if (was) this.log(`tsh: ${s.region} ${why}`);
  }

  /** Every mapped region back to unknown: the game is over, the next one starts unlocked. */
  private nextGame(): void {
    this.inGame = false;
    for (const s of this.slots) {
      s.lock = null;
      s.relay = false;
      s.held = null;
      s.want = null;
      s.sent = null;
      s.unconfirmed = [];
    }
    this.log('tsh: no character in any mapped region (between games): every slot unlocked');
  }

  private pump(s: Slot): void {
    if (this.closed || s.busy || s.retry || !s.want) return;
    if (!s.relay && (s.lock || s.want.codename === s.sent?.codename)) return;
    const c = s.want;
    const relay = s.relay;
    s.busy = true;
    s.unconfirmed = [...s.unconfirmed, c.codename].slice(-MAX_UNCONFIRMED);
    this.client
      .setCharacter(s, c, this.abort.signal)
      .then(
        () => {
          s.sent = c;
          s.sentAt = Date.now();
          s.pushes++;
          s.failuresInRow = 0;
          s.lastError = null;
          if (relay && s.want === c) s.relay = false;
          this.contact(null);
          this.log(`tsh: ${s.region} → scoreboard ${s.scoreboard} team ${s.team} player ${s.player}: ${c.en}`);
        },
        (err: unknown) => {
          if (this.closed) return;
          const message = err instanceof Error ? err.message : String(err);
          s.failuresInRow++;
          s.failures++;
          s.lastError = message;
          const wait = this.delay(s.failuresInRow);
          s.retryAt = Date.now() + wait;
          s.retry = setTimeout(() => {
            s.retry = null;
            s.retryAt = null;
            this.pump(s);
          }, wait);
          s.retry.unref();
          this.contact(message);
        },
      )
      .finally(() => {
        s.busy = false;
        this.pump(s); // the wanted character may have changed meanwhile
      });
  }

  private delay(failures: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (failures - 1));
  }

  /** Records one exchange's outcome; logs only when reachability changes. */
  private contact(error: string | null): void {
    if (error === null) {
      if (this.reachable === false) this.log(`tsh: ${this.o.config.url} answers again`);
      this.reachable = true;
      return;
    }
    if (this.reachable !== false) this.log(`tsh: ${this.o.config.url}: ${error}; retrying with backoff`);
    this.reachable = false;
    this.lastError = error;
  }

  private schedulePoll(ms: number): void {
    if (this.closed) return;
    this.pollTimer = setTimeout(() => void this.poll(), ms);
    this.pollTimer.unref();
  }

  /** Reads TSH's state: its game, and each slot's character (a change smashsight did not make locks it). */
  private async poll(): Promise<void> {
    let next = this.o.config.pollMs ?? DEFAULT_TSH_POLL_MS;
    try {
      const state = await this.client.programState(this.abort.signal);
      if (this.closed) return;
      if (state.game !== this.game && state.game !== TSH_GAME) {
        this.log(`tsh: TSH has ${state.game ?? 'no game'} loaded, not ${TSH_GAME} (Melee): it ignores Melee characters`);
      }
      this.game = state.game;
      for (const s of this.slots) this.seeInTsh(s, state.character(s)?.codename ?? null);
      this.pollFailures = 0;
      this.contact(null);
    } catch (err) {
      if (this.closed) return;
      this.pollFailures++;
      next = this.delay(this.pollFailures);
      this.contact(err instanceof Error ? err.message : String(err));
    }
    this.schedulePoll(next);
  }

  private seeInTsh(s: Slot, codename: string | null): void {
    const ours = codename === null ? -1 : s.unconfirmed.indexOf(codename);
    if (ours >= 0) s.unconfirmed.splice(0, ours + 1);
    else if (s.seen !== undefined && codename !== s.seen) {
      s.lock = 'tsh';
      s.relay = false;
      this.log(`tsh: ${s.region} locked (changed in TSH to ${codename ?? 'no character'})`);
    }
    s.seen = codename;
  }
}
