// `doctor`, and an ffmpeg on PATH that does not run (a missing shared library: exit 127 on every
// start): doctor says so, and serve and demo run on the bundled ffmpeg instead of retrying forever.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { startCliServer, until, type CliServer } from './helpers/cli-server.ts';
import { tempDir } from './helpers/server.ts';

const LOADER_ERROR = 'ffmpeg: error while loading shared libraries: libavdevice.so.59: cannot open shared object file: No such file or directory';

/** A folder whose `ffmpeg` fails the way a half-upgraded distro ffmpeg does. */
function brokenFfmpegDir(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'ffmpeg'), `#!/bin/sh\necho "${LOADER_ERROR}" >&2\nexit 127\n`, { mode: 0o755 });
  return dir;
}

const doctor = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [CLI, 'doctor'], { encoding: 'utf8', env });

let server: CliServer | undefined;
afterEach(async () => {
  if (server && server.proc.exitCode === null) {
    server.proc.kill('SIGINT');
    await server.exited;
  }
  server = undefined;
});

async function framesFlow(s: CliServer): Promise<{ source: { state: string; lastError: string | null } }> {
  let state = { source: { state: '', lastError: null as string | null }, seq: null as number | null };
  await until(
    async () => {
      state = (await (await fetch(`${s.url}/api/state`)).json()) as typeof state;
      return state.seq !== null;
    },
    `frames (source ${JSON.stringify(state.source)})`,
    60_000,
  );
  return state;
}

describe('doctor', () => {
  it('on this machine: the PATH ffmpeg, the engines, and exit 0', () => {
    const r = doctor(process.env);
    expect(r.status).toBe(0);
    const ffmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
    expect(r.stdout).toMatch(new RegExp(`^ok +ffmpeg +${ffmpeg} \\(from PATH\\), version \\S+`, 'm'));
    expect(r.stdout).toMatch(/^ok +engine onnxruntime/m);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout).toMatch(/Everything required is present/);
  });

  it('flags an ffmpeg on PATH that does not run, with its error, and names the one used instead', () => {
    const dir = brokenFfmpegDir();
    const r = doctor({ ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` });
    expect(r.status).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes(path.join(dir, 'ffmpeg')));
    expect(line).toMatch(/^warn +ffmpeg on PATH/);
    expect(line).toContain('exits with code 127');
    expect(line).toContain('libavdevice.so.59');
    expect(r.stdout).toMatch(/^ok +ffmpeg +\S+@ffmpeg-installer\S+ \(from npm\)/m);
  });
});

describe('the bundled ffmpeg', () => {
  it('serve falls back to it when the PATH ffmpeg exits 127', async () => {
    const dir = brokenFfmpegDir();
    const env = { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` };
    const args = ['serve', '--model', 'models/demo', '--source', 'ffmpeg:-f lavfi -i testsrc=size=160x120:rate=10', '--port', '0', '--static', tempDir()];
    server = await startCliServer(args, env);
    const state = await framesFlow(server);
    expect(state.source.state).toBe('up');
  });

  it('demo runs with no ffmpeg on PATH at all', async () => {
    const emptyPath = tempDir();
    server = await startCliServer(['demo', '--port', '0', '--static', tempDir()], { ...process.env, PATH: emptyPath });
    const state = await framesFlow(server);
    expect(state.source.state).toBe('up');
    const health = (await (await fetch(`${server.url}/health`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
  });
});
