// Every ffmpeg this process starts goes through here, so none outlives it: each is tracked and
// killed when Node exits, and on Linux each also dies when Node is killed outright (kill -9), which
// no exit hook survives. Measured on Linux (ffmpeg 5.1 and the bundled 4.1): after kill -9 of the
// parent, an ffmpeg blocked on a silent udp:// input lives on whether its stdin is a pipe (stdin EOF
// is not a quit command) or not, and in its own session (setsid); one that writes frames dies of the
// broken stdout pipe. Node cannot set PR_SET_PDEATHSIG, so a `sh` wrapper gives ffmpeg a lifeline:
// a background watcher blocks reading fd 3, whose other end only Node holds, while the shell execs
// ffmpeg (same pid, so signals and exit codes are ffmpeg's own). When Node goes, the read sees EOF
// and the watcher kills ffmpeg, unless ffmpeg already exited (then the watcher's parent is no longer
// that pid, and the pid may belong to someone else).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const WATCHER = '{ read _ <&3; read -r s </proc/self/stat; set -- $s; [ "$4" = "$$" ] && kill -KILL $$; } </dev/null >/dev/null 2>&1 & exec "$@" 3<&-';

const live = new Set<ChildProcess>();
let hooked = false;

const lifelineWorks = process.platform === 'linux' && fs.existsSync('/bin/sh') && fs.existsSync('/proc/self/stat');

export interface SpawnFfmpegOptions {
  /** 'pipe' when frames are written to ffmpeg's stdin; otherwise stdin is closed (run with -nostdin). */
  stdin: 'pipe' | 'ignore';
  stdout: 'pipe' | 'ignore';
}

/** Spawns `ffmpeg args` (stderr piped) that ends when this process ends, however it ends. */
export function spawnFfmpeg(ffmpegPath: string, args: string[], o: SpawnFfmpegOptions): ChildProcess {
  if (!hooked) {
    hooked = true;
    // Synchronous and last: whatever is still running when Node exits is killed now.
    process.on('exit', () => {
      for (const p of live) p.kill('SIGKILL');
    });
  }
  const stdio: Array<'pipe' | 'ignore'> = [o.stdin, o.stdout, 'pipe'];
  const proc = lifelineWorks
    ? spawn('/bin/sh', ['-c', WATCHER, 'ffmpeg', ffmpegPath, ...args], { stdio: [...stdio, 'pipe'] })
    : spawn(ffmpegPath, args, { stdio });
  live.add(proc);
  const done = (): void => {
    live.delete(proc);
    // ffmpeg is gone: let the watcher see EOF and leave (and the child's 'close' follow).
    const lifeline = proc.stdio[3];
    if (lifeline && 'destroy' in lifeline) lifeline.destroy();
  };
  proc.once('exit', done);
  proc.once('error', done);
  return proc;
}

/** How many ffmpeg processes started here are still running (for tests and the soak). */
export function liveFfmpegCount(): number {
  return live.size;
}

/** One line for why an ffmpeg ended: its code or signal's name, and its last stderr line. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  const last = stderrTail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-1)[0];
  const how = signal ? `ffmpeg was killed by ${signal}` : `ffmpeg exited with code ${code}`;
  return last ? `${how}: ${last}` : how;
}
