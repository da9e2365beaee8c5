// The synthetic game as a live video source: raw rgb24 frames paced at fps, switching character
// every switchSeconds, with the true label timeline kept in memory and appended to a file.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { now } from '../kit/clock.ts';
import type { TruthEntry } from '../source/generated.ts';
import type { Character } from './labels.ts';
import { CHARACTERS } from './labels.ts';
import { LiveSim } from './live-sim.ts';
import type { GameLook } from './scene.ts';
import { Raster } from './raster.ts';
import { renderScene } from './render.ts';

export interface LiveGameOptions {
  seed: number;
  fps: number;
  width: number;
  height: number;
  switchSeconds: number;
  characters?: string[];
  /** HUD and camera shot (default: HUD on, wide). */
  look?: GameLook;
  timelinePath?: string;
}

export type TimelineEntry = TruthEntry;

export interface LiveGame {
  /** Raw rgb24, width*height*3 bytes per frame, paced at fps. */
  frames: NodeJS.ReadableStream;
  /** Grows live. */
  timeline: TimelineEntry[];
  /** When frame `index` was drawn (the last DRAWN_REMEMBERED frames). */
  drawnAt?(index: number): number | undefined;
  stop(): void;
}

/** Draw times kept: a frame reaches the engine within a few frames or never. */
const DRAWN_REMEMBERED = 256;

export function startLiveGame(opts: LiveGameOptions): LiveGame {
  const roster = (opts.characters?.length ? opts.characters : [...CHARACTERS]) as Character[];
  for (const c of roster) {
    if (!(CHARACTERS as readonly string[]).includes(c)) throw new Error(`startLiveGame: unknown character '${c}'`);
  }
  const sim = new LiveSim(opts.seed, roster, opts.width, opts.height, opts.look);
  const raster = new Raster(opts.width, opts.height);
  const timeline: TimelineEntry[] = [];
  const drawn = new Float64Array(DRAWN_REMEMBERED);
  const interval = 1000 / opts.fps;
  const ticksPerSwitch = Math.max(1, Math.round(opts.switchSeconds * opts.fps));
  let wanted = true;
  let stopped = false;
  let emitted = 0;
  let tick = 0; // simulated ticks, emitted or not
  let timer: NodeJS.Timeout | undefined;
  // Room for two frames: a reader that keeps up never loses one to timer jitter.
  const frames = new Readable({
    highWaterMark: 2 * opts.width * opts.height * 3,
    read() {
      wanted = true;
    },
  });
  const started = performance.now();

  const advance = (): void => {
    tick++;
    if (tick % ticksPerSwitch === 0) sim.switchCharacter();
    sim.step(1 / opts.fps);
  };

  const emit = (): void => {
    renderScene(raster, sim.scene());
    const label = sim.character;
    if (timeline.length === 0 || timeline[timeline.length - 1].label !== label) {
      const entry = { t: Date.now(), frame: emitted, label };
      timeline.push(entry);
      if (opts.timelinePath) fs.appendFileSync(opts.timelinePath, `${JSON.stringify(entry)}\n`);
    }
    drawn[emitted % DRAWN_REMEMBERED] = now();
    emitted++;
    wanted = frames.push(Buffer.from(raster.data));
  };

  const loop = (): void => {
    if (stopped) return;
    // A reader that falls behind loses frames, as with a real capture: time never waits.
    if (wanted) emit();
    const due = Math.floor((performance.now() - started) / interval);
    advance();
    while (tick < due) advance(); // we fell behind: skip frames, keep the clock
    timer = setTimeout(loop, Math.max(0, started + tick * interval - performance.now()));
  };
  timer = setTimeout(loop, 0);

  return {
    frames,
    timeline,
    drawnAt: (index) => (index < emitted && index >= emitted - DRAWN_REMEMBERED ? drawn[index % DRAWN_REMEMBERED] : undefined),
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      frames.push(null);
    },
  };
}
