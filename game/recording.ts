// The synthetic game recorded to a video file as fast as it renders: `synth --live` is paced at
// real time (a capture), which would make a 10-minute test recording take 10 minutes. The truth
// comes back in video time (frame index / fps), what a VOD's chapters are scored against.
import { Readable } from 'node:stream';
import type { Character } from './labels.ts';
import { CHARACTERS } from './labels.ts';
import { runLiveOutput } from './live-output.ts';
import type { TimelineEntry } from './live.ts';
import { LiveSim } from './live-sim.ts';
import type { GameLook } from './scene.ts';
import { Raster } from './raster.ts';
import { renderScene } from './render.ts';

export interface RecordingOptions {
  /** The video file to write (H.264; the container from its extension). */
  path: string;
  seed: number;
  fps: number;
  seconds: number;
  switchSeconds: number;
  width?: number;
  height?: number;
  characters?: readonly Character[];
  look?: GameLook;
}

export interface RecordedSwitch {
  /** Video time of the label's first frame. */
  seconds: number;
  frame: number;
  label: string;
}

export interface Recording {
  path: string;
  fps: number;
  frames: number;
  /** The label of frame 0, then one entry per switch. */
  switches: RecordedSwitch[];
}

export async function recordGame(o: RecordingOptions): Promise<Recording> {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const sim = new LiveSim(o.seed, o.characters?.length ? o.characters : CHARACTERS, width, height, o.look);
  const raster = new Raster(width, height);
  const total = Math.round(o.seconds * o.fps);
  // The same clock as the live game: a switch every switchSeconds of game ticks.
  const ticksPerSwitch = Math.max(1, Math.round(o.switchSeconds * o.fps));
  const switches: RecordedSwitch[] = [];
  let frame = 0;
  // Pulled by the encoder: a frame is drawn only when ffmpeg wants the next one.
  const frames = new Readable({
    highWaterMark: 2 * width * height * 3,
    read() {
      if (frame >= total) {
        this.push(null);
        return;
      }
      renderScene(raster, sim.scene());
      if (switches.at(-1)?.label !== sim.character) switches.push({ seconds: frame / o.fps, frame, label: sim.character });
      this.push(Buffer.from(raster.data));
      frame++;
      if (frame % ticksPerSwitch === 0) sim.switchCharacter();
      sim.step(1 / o.fps);
    },
  });
  const timeline: TimelineEntry[] = [];
  await runLiveOutput({ frames, timeline, stop: () => frames.destroy() }, { kind: 'encode', target: o.path }, { width, height, fps: o.fps });
  return { path: o.path, fps: o.fps, frames: frame, switches };
}
