// When OBS's program scene changes (server/obs-scene.ts): a game starts as soon as a character is
// shown, ends only after --obs-idle-seconds of nothing shown, and every change of phase is a new
// scene to send (so an operator's own switch in between is undone only by the next change).
import { describe, expect, it } from 'vitest';
import { GameWatch, resolveSceneRule, sceneWrites } from '../server/obs-scene.ts';

const at = (where: string, value: unknown) => ({ where, value });

describe('GameWatch', () => {
  it('starts a game at once, rides out short gaps, goes idle after the wait', () => {
    const w = new GameWatch(1000, 0);
    expect(w.update(false, 500)).toBeNull(); // just started: not yet a break
    expect(w.update(true, 600)).toBe('game');
    expect(w.update(false, 1200)).toBe('game'); // an explosion hides the figure
    expect(w.update(true, 1500)).toBe('game');
    expect(w.update(false, 2400)).toBe('game');
    expect(w.update(false, 2500)).toBe('idle'); // 1000 ms since the last character
    expect(w.update(false, 9000)).toBe('idle');
    expect(w.update(true, 9100)).toBe('game');
    expect(w.changes).toBe(3);
  });

  it('a server started during a break goes idle after the wait', () => {
    const w = new GameWatch(2000, 100);
    expect(w.update(false, 2000)).toBeNull();
    expect(w.update(false, 2100)).toBe('idle');
  });
});

describe('sceneWrites', () => {
  const rule = { game: 'Game', idle: 'Break', idleMs: 1000 };
  it('asks for the phase scene, a new value at every change of phase', () => {
    expect(sceneWrites(rule, null, 0)).toEqual([]);
    const [game] = sceneWrites(rule, 'game', 1);
    expect(game!.target).toEqual({ kind: 'scene', name: 'Game' });
    const [again] = sceneWrites(rule, 'game', 3); // game → idle → game: the game scene is sent again
    expect(again!.key).toBe(game!.key);
    expect(again!.value).not.toBe(game!.value);
    expect(sceneWrites({ game: 'Game', idleMs: 1000 }, 'idle', 2)).toEqual([]); // no idle scene: stay
  });
});

describe('resolveSceneRule', () => {
  const secs = at('--obs-idle-seconds', '5');
  it('is off without either scene, and reads seconds', () => {
    expect(resolveSceneRule(at('--obs-game-scene', undefined), at('--obs-idle-scene', undefined), secs)).toBeUndefined();
    expect(resolveSceneRule(at('--obs-game-scene', 'Game'), at('--obs-idle-scene', undefined), secs)).toEqual({ game: 'Game', idle: undefined, idleMs: 5000 });
  });
  it('refuses bad values in one line naming the flag', () => {
    expect(() => resolveSceneRule(at('--obs-game-scene', ' '), at('--obs-idle-scene', undefined), secs)).toThrow(
      /^--obs-game-scene: must be the name of a scene in OBS$/,
    );
    expect(() => resolveSceneRule(at('--obs-game-scene', 'A'), at('cfg.json: "obsIdleScene"', 'A'), secs)).toThrow(
      /^cfg.json: "obsIdleScene": is the same scene as --obs-game-scene \('A'\)$/,
    );
    expect(() => resolveSceneRule(at('--obs-game-scene', 'A'), at('--obs-idle-scene', 'B'), at('--obs-idle-seconds', '0'))).toThrow(/^--obs-idle-seconds: /);
  });
});
