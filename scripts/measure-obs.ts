// How fast the obs: source really goes, and what it costs: starts OBS Studio under Xvfb (the test
// setup, test/helpers/obs.ts) playing a synthetic-game recording, then for each asked rate runs the
// real stream (source/obs.ts) for a while and prints frames/s delivered, the time a screenshot
// takes, and CPU: OBS's above its own idle load, and this process's (client + JPEG decode + scale).
// Run: npx tsx scripts/measure-obs.ts [seconds per rate, default 15]
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ObsFrames } from '../source/obs.ts';
import { CLI } from '../test/helpers/cli.ts';
import { OBS_MEDIA_SOURCE, startObs, writeObsConfig } from '../test/helpers/obs.ts';
import { startXvfb } from '../test/helpers/xvfb.ts';

const seconds = Number(process.argv[2] ?? 15);
const RATES = [5, 10, 30];
const exec = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smashsight-obs-measure-'));
const recording = path.join(tmp, 'game.mp4');
await exec(process.execPath, [CLI, 'synth', '--live', '--seconds', '4', '--output', recording]);
const setup = { home: path.join(tmp, 'home'), recording, port: 4400 + (process.pid % 500), password: 'measure' };
writeObsConfig(setup);
const xvfb = await startXvfb('1280x720x24');
const obs = startObs(setup, xvfb.display);
const conn = { url: `ws://127.0.0.1:${setup.port}`, password: setup.password };

/** OBS's CPU seconds so far (utime + stime from /proc, in clock ticks of 1/100 s). */
function obsCpu(): number {
  const fields = fs.readFileSync(`/proc/${obs.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function run(fps: number, ms: number): Promise<{ frames: number; wall: number }> {
  return new Promise((resolve, reject) => {
    const stream = new ObsFrames(OBS_MEDIA_SOURCE, { width: 640, height: 480, fps }, conn);
    let frames = 0;
    let first = 0;
    stream.on('frame', () => {
      if (frames++ === 0) first = performance.now();
    });
    stream.on('exit', (_c, _t, reason) => reject(new Error(reason)));
    setTimeout(() => {
      stream.stop();
      resolve({ frames: frames - 1, wall: (performance.now() - first) / 1000 });
    }, ms);
  });
}

try {
  // OBS is ready once a stream gets a frame (its port opens after the scenes load).
  for (let ready = false; !ready; )
    ready = await run(5, 1500).then(
      (r) => r.frames >= 0 && r.wall > 0,
      () => false,
    );
  const c0 = obsCpu();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const idle = (obsCpu() - c0) / ((performance.now() - t0) / 1000);
  console.log(
    `OBS idle (playing the recording, no client): ${(idle * 100).toFixed(0)}% of one core; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
  );
  for (const fps of RATES) {
    const c = obsCpu();
    const u = process.cpuUsage();
    const { frames, wall } = await run(fps, seconds * 1000);
    const self = process.cpuUsage(u);
    const obsShare = (obsCpu() - c) / wall - idle;
    const ours = (self.user + self.system) / 1e6 / wall;
    console.log(
      `asked ${fps} fps: got ${(frames / wall).toFixed(1)} fps (${((wall * 1000) / frames).toFixed(0)} ms a frame); ` +
        `OBS +${(obsShare * 100).toFixed(0)}% of a core, this process ${(ours * 100).toFixed(0)}%`,
    );
  }
} finally {
  await obs.stop();
  await xvfb.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
