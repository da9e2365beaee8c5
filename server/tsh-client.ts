// TournamentStreamHelper's web server, the two calls smashsight makes (read from TSH's source:
// src/TSHWebServer.py, TSHWebServerActions.py, TSHScoreboardWidget.py, TSHScoreboardPlayerWidget.py):
// - POST /scoreboard{n}-update-team-{t}-{p}, JSON { "mains": { "ssbm": [["Fox", 0]] } }: sets that
//   player's first character (TSH matches the name on its English name; 0 = default colour) and
//   answers the text "OK". Flask's get_json wants Content-Type application/json.
// - GET /program-state: TSH's whole state as JSON; a player's first character is at
//   score.{n}.team.{t}.player.{p}.character.1 ({ en_name, codename, … }), the game at game.codename.
import { TSH_GAME, type TshCharacter, type TshTarget } from './tsh-map.ts';

export interface TshPlayerCharacter {
  /** TSH's codename of the character shown (null: none chosen). */
  codename: string | null;
}

export interface TshProgramState {
  /** The game loaded in TSH (its codename, e.g. ssbm), null when none is. */
  game: string | null;
  character(t: TshTarget): TshPlayerCharacter | null;
}

export const DEFAULT_TSH_TIMEOUT_MS = 3000;

export function updatePath(t: TshTarget): string {
  return `/scoreboard${t.scoreboard}-update-team-${t.team}-${t.player}`;
}

export function updateBody(c: TshCharacter): { mains: Record<string, [string, number][]> } {
  return { mains: { [TSH_GAME]: [[c.en, 0]] } };
}

const field = (v: unknown, key: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Why a request failed, in one line (fetch hides the system error in `cause`). */
function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const code = field(field(err, 'cause'), 'code');
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}

export class TshClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = DEFAULT_TSH_TIMEOUT_MS,
  ) {}

  private async request(path: string, init: RequestInit, signal?: AbortSignal): Promise<string> {
    // A timeout or the feeder closing, whichever comes first (AbortSignal.any needs Node 20.3).
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new DOMException('no answer in time', 'TimeoutError')), this.timeoutMs);
    const cancel = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', cancel, { once: true });
    let res: Response;
    let body: string;
    try {
      res = await fetch(`${this.url}${path}`, { ...init, signal: stop.signal });
      body = await res.text().catch(() => '');
    } catch (err) {
      throw new Error(`${init.method ?? 'GET'} ${path}: ${reason(err)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status}${body ? ` ${body.slice(0, 120).trim()}` : ''}`);
    return body;
  }

  async setCharacter(t: TshTarget, c: TshCharacter, signal?: AbortSignal): Promise<void> {
    const path = updatePath(t);
    const body = await this.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(updateBody(c)) }, signal);
    // TSH answers "OK"; anything else is not TSH's web server (or not the API read from its source).
    if (body.trim() !== 'OK') throw new Error(`POST ${path}: answered ${JSON.stringify(body.slice(0, 80))}, not TSH's "OK"`);
  }

  async programState(signal?: AbortSignal): Promise<TshProgramState> {
    const body = await this.request('/program-state', { method: 'GET' }, signal);
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw new Error("GET /program-state: not JSON (is --tsh TSH's web server?)");
    }
    return {
      game: text(field(field(raw, 'game'), 'codename')),
      character: (t) => {
        const player = field(field(field(field(field(raw, 'score'), String(t.scoreboard)), 'team'), String(t.team)), 'player');
        const slot = field(player, String(t.player));
        if (slot === undefined) return null;
        return { codename: text(field(field(field(slot, 'character'), '1'), 'codename')) };
      },
    };
  }
}
