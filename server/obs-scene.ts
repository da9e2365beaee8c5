// Switches OBS's program scene when a game starts or ends (`--obs-game-scene`, `--obs-idle-scene`).
// A game is on while any region of any setup shows a character; it is over once none has for
// `--obs-idle-seconds` (menus, results, a break: the model shows `unknown`). The shown label has
// already passed the smoothing's hold, so a game starts at once; the idle wait rides out a few
// frames of `unknown` (a character off screen, an explosion) without cutting away. A scene is
// sent once per change of phase, so an operator's own switch stands until the next one.
import { checkNumber, POSITIVE } from '../kit/flags.ts';
import { UserError } from '../kit/errors.ts';
import type { ObsWrite } from './obs-writer.ts';

export const DEFAULT_IDLE_SECONDS = 5;

export interface SceneRule {
  /** The scene to show while a game is on. */
  game?: string;
  /** The scene to show once it is over. */
  idle?: string;
  idleMs: number;
}

export type Phase = 'game' | 'idle';

/** The scene rule from its three settings (flags or config keys), or undefined when neither scene is set. */
export function resolveSceneRule(
  game: { where: string; value: unknown },
  idle: { where: string; value: unknown },
  idleSeconds: { where: string; value: unknown },
): SceneRule | undefined {
  const scene = (s: { where: string; value: unknown }): string | undefined => {
    if (s.value === undefined) return undefined;
    if (typeof s.value !== 'string' || s.value.trim() === '') throw new UserError(`${s.where}: must be the name of a scene in OBS`);
    return s.value;
  };
  const rule = { game: scene(game), idle: scene(idle), idleMs: checkNumber(idleSeconds.where, idleSeconds.value, POSITIVE) * 1000 };
  if (rule.game !== undefined && rule.game === rule.idle) throw new UserError(`${idle.where}: is the same scene as ${game.where} ('${rule.game}')`);
  return rule.game === undefined && rule.idle === undefined ? undefined : rule;
}

/** Game or idle from what is shown over time; null until the first game or the first idle wait. */
export class GameWatch {
  private phase: Phase | null = null;
  private lastCharacterAt: number;
  /** Counts phase changes: each one is a new scene to send, even to the same scene as before. */
  changes = 0;

  constructor(
    private readonly idleMs: number,
    startedAt: number,
  ) {
    this.lastCharacterAt = startedAt; // a server started during a break goes idle after the wait
  }

  update(characterShown: boolean, t: number): Phase | null {
    let next = this.phase;
    if (characterShown) {
      this.lastCharacterAt = t;
      next = 'game';
    } else if (this.phase !== 'idle' && t - this.lastCharacterAt >= this.idleMs) next = 'idle';
    if (next !== this.phase) this.changes++;
    this.phase = next;
    return next;
  }
}

/** The program-scene write the phase asks for (none while its scene is not set). */
export function sceneWrites(rule: SceneRule, phase: Phase | null, change: number): ObsWrite[] {
  const scene = phase === 'game' ? rule.game : phase === 'idle' ? rule.idle : undefined;
  if (scene === undefined) return [];
  return [
    {
      key: 'program-scene',
      value: `${change}:${scene}`,
      target: { kind: 'scene', name: scene },
      send: (obs) => obs.call('SetCurrentProgramScene', { sceneName: scene }),
    },
  ];
}
