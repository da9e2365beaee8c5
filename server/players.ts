// GET /api/players: who is on screen, per region, for tools that want one small answer rather than
// the WebSocket or the whole state (PROTOCOL.md).
import type { State } from './protocol.ts';

export interface Player {
  region: string;
  setup: string;
  /** The displayed label (an override when there is one), `unknown` when none. */
  character: string;
  confidence: number;
  /** Whether smashsight leaves this region's TSH slot alone (an edit there or an override here). */
  locked: boolean;
}

export interface PlayersBody {
  players: Player[];
}

/** One setup's players; the setup's name comes with its state. */
export function players(state: State, locked: (region: string) => boolean): Player[] {
  return state.regions.map((r) => ({ region: r.name, setup: state.setup, character: r.label, confidence: r.confidence, locked: locked(r.name) }));
}
