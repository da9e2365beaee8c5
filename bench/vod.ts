// `smashsight bench-vod`: `vod` on a long synthetic-game recording. Frames analysed per second
// (decode, crop, inference and smoothing together, after the engine has loaded), and how far the
// chapters land from the recording's known switches.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordGame, type RecordedSwitch } from '../game/recording.ts';
import { describeCpu } from '../kit/cpu.ts';
import { parseRegionArg, type RegionSpec } from '../server/protocol.ts';
import { DEFAULT_SMOOTHING } from '../server/store.ts';
import { runVod } from '../server/vod.ts';
import type { Chapter } from '../server/vod-output.ts';
import { parseSourceSpec } from '../source/spec.ts';

export interface VodBenchOptions {
  model: string;
  seconds: number;
  videoFps: number;
  switchSeconds: number;
  fps: number;
  minSegment: number;
  seed: number;
  /** Where the recording is kept between runs. */
  cache: string;
}

export interface BoundaryError {
  switches: number;
  /** Switches with a chapter starting within ±1 s. */
  within1s: number;
  meanAbs: number;
  maxAbs: number;
  /** Chapters that start more than 1 s from every switch. */
  extra: number;
  /** Share of video time whose chapter title is the character on screen. */
  labelAgreement: number;
}

/** Each switch (after the first, at 0) against the nearest chapter start. */
export function boundaryError(chapters: readonly Chapter[], truth: readonly RecordedSwitch[], seconds: number): BoundaryError {
  const starts = chapters.slice(1).map((c) => c.start);
  const switches = truth.slice(1).map((s) => s.seconds);
  const nearest = (t: number, list: number[]): number => Math.min(Infinity, ...list.map((x) => Math.abs(x - t)));
  const errors = switches.map((t) => nearest(t, starts));
  const shown = chapters.map((c) => ({ start: c.start, label: c.title }));
  const real = truth.map((s) => ({ start: s.seconds, label: s.label }));
  const labelAt = (list: { start: number; label: string }[], t: number): string | undefined => [...list].reverse().find((x) => x.start <= t)?.label;
  // sampled every 0.1 s: agreement of the chapter title with the truth
  let same = 0;
  let n = 0;
  for (let t = 0.05; t < seconds; t += 0.1, n++) if (labelAt(shown, t) === labelAt(real, t)) same++;
  return {
    switches: switches.length,
    within1s: errors.filter((e) => e <= 1).length,
    meanAbs: errors.length ? errors.reduce((a, b) => a + b, 0) / errors.length : 0,
    maxAbs: errors.length ? Math.max(...errors) : 0,
    extra: starts.filter((s) => nearest(s, switches) > 1).length,
    labelAgreement: n ? same / n : 1,
  };
}

async function recording(o: VodBenchOptions, say: (line: string) => void): Promise<{ video: string; switches: RecordedSwitch[] }> {
  const name = `synthetic-seed${o.seed}-${o.seconds}s-${o.videoFps}fps-switch${o.switchSeconds}s`;
  const video = path.join(o.cache, `${name}.mp4`);
  const truth = path.join(o.cache, `${name}.switches.json`);
  if (fs.existsSync(video) && fs.existsSync(truth)) {
    say(`recording: ${video} (cached)`);
    return { video, switches: JSON.parse(fs.readFileSync(truth, 'utf8')) as RecordedSwitch[] };
  }
  fs.mkdirSync(o.cache, { recursive: true });
  say(`recording ${o.seconds} s of the synthetic game at 640x480, ${o.videoFps} fps, a switch every ${o.switchSeconds} s…`);
  const started = performance.now();
  const partial = `${video}.tmp-${process.pid}.mp4`;
  const rec = await recordGame({ path: partial, seed: o.seed, fps: o.videoFps, seconds: o.seconds, switchSeconds: o.switchSeconds });
  fs.renameSync(partial, video);
  fs.writeFileSync(truth, `${JSON.stringify(rec.switches)}\n`);
  say(`recording: ${rec.frames} frames in ${((performance.now() - started) / 1000).toFixed(0)} s → ${video}`);
  return { video, switches: rec.switches };
}

function region(text: string): RegionSpec {
  const p = parseRegionArg(text);
  if (!p.ok) throw new Error(p.error);
  return p.value;
}

export async function runVodBench(o: VodBenchOptions, say: (line: string) => void): Promise<void> {
  say(`machine: ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}; cpu flags: ${describeCpu()}`);
  const { video, switches } = await recording(o, say);
  const passes: { name: string; regions: RegionSpec[] }[] = [
    { name: 'whole frame', regions: [] },
    // the README's HUD slots: the crop path's cost (the demo model reads whole frames, so only the speed counts here)
    { name: '2 regions (HUD slots p1, p2)', regions: ['p1=13,398,134,72', 'p2=173,398,134,72'].map(region) },
  ];
  for (const pass of passes) {
    const load = os.loadavg()[0]!.toFixed(1);
    const run = await runVod({
      input: video,
      spec: parseSourceSpec(`file:${video}`),
      model: o.model,
      regions: pass.regions,
      fps: o.fps,
      minSegment: o.minSegment,
      smoothing: DEFAULT_SMOOTHING,
    });
    const t = run.timeline;
    say(
      `${pass.name}: ${run.frames} frames (${t.seconds.toFixed(0)} s of ${o.videoFps} fps video at ${o.fps} frames/s) in ${run.wallSeconds.toFixed(1)} s: ` +
        `${(run.frames / run.wallSeconds).toFixed(0)} frames/s, ${(t.seconds / run.wallSeconds).toFixed(1)}x real time (load average ${load} before)`,
    );
    if (pass.regions.length > 0) continue;
    const e = boundaryError(t.chapters, switches, t.seconds);
    say(
      `  chapters vs the recording's ${e.switches} switches: ${e.within1s}/${e.switches} within ±1 s, mean |error| ${e.meanAbs.toFixed(2)} s, ` +
        `max ${e.maxAbs.toFixed(2)} s, ${e.extra} extra chapters; title right ${(100 * e.labelAgreement).toFixed(1)}% of the time`,
    );
  }
}
