// The synthetic game as a frame source: the composition root (cli/main.ts, and the tests' setup)
// plugs it in under `synthetic`, so `--source synthetic[:seed]` renders it live.
import { registerGenerator } from '../source/generated.ts';
import { startLiveGame } from './live.ts';
import type { GameLook } from './scene.ts';
import { DEFAULT_LOOK } from './scene.ts';

/** The game renders at this size; ffmpeg scales it like any capture. */
export const SYNTHETIC_SIZE = { width: 640, height: 480 };

/** `look`: the HUD and camera shot every game on this source shows (default: HUD on, wide). */
export function plugInSyntheticGame(look: GameLook = DEFAULT_LOOK): void {
  registerGenerator('synthetic', {
    size: SYNTHETIC_SIZE,
    start: (r) => startLiveGame({ ...SYNTHETIC_SIZE, seed: r.seed, fps: r.fps, switchSeconds: r.switchSeconds, look, timelinePath: r.timelinePath }),
  });
}
