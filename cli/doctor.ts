// `smashsight doctor`: what this machine has for each stage, and the command that fixes what is
// missing. Required things (ffmpeg, Node ≥ 20, one engine) make it exit non-zero.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Shown when not ok. */
  fix?: string;
  /** Only the tests or one feature need it: missing is a warning, not a failure. */
  optional?: boolean;
}

const APT = 'sudo apt-get install -y';

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

async function ffmpegChecks(): Promise<Check[]> {
  const { findFfmpeg, ffmpegInfo } = await import('../source/ffmpeg.ts');
  const fix = `${APT} ffmpeg   # or: npm ci (bundles @ffmpeg-installer/ffmpeg)`;
  let location: ReturnType<typeof findFfmpeg>;
  try {
    location = findFfmpeg();
  } catch (err) {
    return [{ name: 'ffmpeg', ok: false, detail: err instanceof Error ? err.message : String(err), fix }];
  }
  const info = await ffmpegInfo(location);
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const broken: Check[] = location.broken
    ? [
        {
          name: 'ffmpeg on PATH',
          ok: false,
          optional: true,
          detail: `${location.broken.path} ${location.broken.why}; using the bundled one instead`,
          fix: `${APT} --reinstall ffmpeg   # or remove it from PATH`,
        },
      ]
    : [];
  return [
    ...broken,
    { name: 'ffmpeg', ok: true, detail: `${info.path} (from ${info.origin}), version ${info.version}` },
    {
      name: 'ffmpeg capture',
      ok: info.devices.x11grab && info.devices.v4l2,
      optional: true,
      detail: `x11grab ${yes(info.devices.x11grab)} (by window id ${yes(info.windowId)}), v4l2 ${yes(info.devices.v4l2)}, lavfi ${yes(info.devices.lavfi)}`,
      fix: `${APT} ffmpeg   # Debian's ffmpeg has x11grab and v4l2`,
    },
  ];
}

async function engineChecks(): Promise<Check[]> {
  try {
    const { probeEngines } = await import('../engine/open-engine.ts');
    const engines = await probeEngines();
    const checks: Check[] = engines.map((e) => ({ name: `engine ${e.name}`, ok: e.ok, optional: true, detail: e.detail }));
    if (!engines.some((e) => e.ok)) {
      checks.push({ name: 'inference engine', ok: false, detail: 'no engine loads', fix: 'npm ci   # reinstalls onnxruntime-node and @tensorflow/tfjs' });
    }
    return checks;
  } catch (err) {
    return [{ name: 'inference engines', ok: false, detail: err instanceof Error ? err.message : String(err), fix: 'npm ci' }];
  }
}

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return {
    name: 'node',
    ok: major >= 20,
    detail: `v${process.versions.node}`,
    fix: 'install Node 20 or newer (https://nodejs.org, or: sudo apt-get install -y nodejs from NodeSource)',
  };
}

function toolCheck(name: string, cmds: string[], why: string, pkg: string): Check {
  const found = cmds.map(onPath).find(Boolean);
  return { name, ok: !!found, optional: true, detail: found ? `${found} (${why})` : `not found (${why})`, fix: `${APT} ${pkg}` };
}

async function x11Check(): Promise<Check> {
  const display = process.env.DISPLAY;
  if (!display)
    return {
      name: 'X11 display',
      ok: false,
      optional: true,
      detail: 'DISPLAY not set: window:/dolphin/region capture needs an X session',
      fix: 'run inside your desktop session, or: Xvfb :99 & export DISPLAY=:99',
    };
  try {
    await promisify(execFile)('xdpyinfo', ['-display', display], { timeout: 5000 });
    return { name: 'X11 display', ok: true, detail: `${display} answers` };
  } catch {
    return { name: 'X11 display', ok: false, optional: true, detail: `${display} does not answer (or xdpyinfo is missing)`, fix: `${APT} x11-utils` };
  }
}

export async function runDoctor(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<boolean> {
  const checks: Check[] = [
    nodeCheck(),
    ...(await ffmpegChecks()),
    ...(await engineChecks()),
    toolCheck('chromium', ['chromium', 'chromium-browser', 'google-chrome'], 'overlay tests', 'chromium'),
    toolCheck('ffplay', ['ffplay'], 'synth --live --window, window-capture tests', 'ffmpeg'),
    toolCheck('Xvfb', ['Xvfb'], 'window-capture tests', 'xvfb'),
    toolCheck('xdotool', ['xdotool'], 'finding windows by title', 'xdotool'),
    toolCheck('xwininfo', ['xwininfo'], 'window geometry', 'x11-utils'),
    await x11Check(),
  ];
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const mark = c.ok ? 'ok  ' : c.optional ? 'warn' : 'FAIL';
    write(`${mark}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (!c.ok && c.fix) write(`      ${' '.repeat(width)}  fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => !c.ok && !c.optional);
  write(failed.length ? `\n${failed.length} required item(s) missing.` : '\nEverything required is present.');
  return failed.length === 0;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check ffmpeg, inference engines, Node and test tools; print the fix for what is missing')
    .action(async () => {
      if (!(await runDoctor())) process.exitCode = 1;
    });
}
