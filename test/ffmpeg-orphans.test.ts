// No ffmpeg outlives the server: not the one probing a source's size, not the stream's, whether the
// server stops on SIGINT or is killed outright (kill -9, which no exit hook survives).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alive, commOf, pidsWith, startCliServer, until, type CliServer } from './helpers/cli-server.ts';
import { LABELS_DEFAULT, tempDir } from './helpers/server.ts';
import { randomPackage } from './helpers/training-fixtures.ts';
import { freeUdpPort } from '../kit/udp.ts';

const model = path.join(tempDir(), 'model');
beforeAll(() => randomPackage(model, LABELS_DEFAULT));
let server: CliServer | undefined;
let sender: ChildProcess | undefined;

const urls: string[] = [];

afterEach(() => {
  if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
  sender?.kill('SIGKILL');
  // a failed test must not leave its orphans to the next one
  for (const url of urls.splice(0)) for (const pid of ffmpegFor(url)) process.kill(pid, 'SIGKILL');
  server = sender = undefined;
});

/** The server's ffmpeg processes for this udp port (ffmpeg itself, and any shell around it). */
const ffmpegFor = (url: string): number[] => pidsWith(url).filter((pid) => pid !== sender?.pid && pid !== server?.proc.pid);
const ffmpegRuns = (url: string): boolean => ffmpegFor(url).some((pid) => commOf(pid) === 'ffmpeg');

function serveUdp(url: string): Promise<CliServer> {
  urls.push(url);
  return startCliServer(['serve', '--model', model, '--source', `url:${url}`, '--port', '0', '--static', tempDir()]);
}

describe('ffmpeg ends with the server', () => {
  it('kill -9 during the size probe of a silent udp:// source leaves no ffmpeg holding the port', async () => {
    const url = `udp://127.0.0.1:${await freeUdpPort()}`;
    server = await serveUdp(url);
    await until(() => ffmpegRuns(url), 'the probe ffmpeg to start');
    const pids = ffmpegFor(url);
    server.proc.kill('SIGKILL');
    await server.exited;
    await until(() => pids.every((p) => !alive(p)), `ffmpeg ${pids.join(', ')} to end after its parent was killed`, 15_000);
  });

  it('SIGINT during the size probe stops the server and its probe', async () => {
    const url = `udp://127.0.0.1:${await freeUdpPort()}`;
    server = await serveUdp(url);
    await until(() => ffmpegRuns(url), 'the probe ffmpeg to start');
    const pids = ffmpegFor(url);
    server.proc.kill('SIGINT'); // the server only, not its process group (as `kill -INT <pid>` does)
    expect((await server.exited).code).toBe(0);
    await until(() => pids.every((p) => !alive(p)), `ffmpeg ${pids.join(', ')} to end after SIGINT`, 15_000);
  });

  it('kill -9 while the stream is stalled (ffmpeg blocked reading, writing nothing) leaves no ffmpeg', async () => {
    const port = await freeUdpPort();
    const url = `udp://127.0.0.1:${port}`;
    sender = spawn(
      'ffmpeg',
      ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'mpegts', `${url}?pkt_size=1316`],
      {
        stdio: 'ignore',
      },
    );
    server = await serveUdp(url);
    const s = server;
    await until(
      async () => {
        const state = (await (await fetch(`${s.url}/api/state`)).json()) as { source: { state: string }; seq: number | null };
        return state.source.state === 'up' && state.seq !== null;
      },
      'frames from the udp stream',
      60_000,
    );
    sender.kill('SIGKILL');
    expect(ffmpegRuns(url)).toBe(true);
    const pids = ffmpegFor(url);
    server.proc.kill('SIGKILL');
    await server.exited;
    await until(() => pids.every((p) => !alive(p)), `ffmpeg ${pids.join(', ')} to end after its parent was killed`, 15_000);
  });
});
