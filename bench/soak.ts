// `smashsight bench-soak`: the server under faults, as a user runs it (the CLI in a child process):
// ffmpeg killed again and again, 50 clients of which one stops reading, clients connecting and
// leaving, a ping flood, then a udp:// stream whose sender goes quiet and comes back. It prints
// how many kills were recovered and how fast, the server's RSS at start and end, and whether any
// process it started outlived it. Linux only (it finds processes through /proc). Not run in CI: it
// takes minutes and means something only on an otherwise idle machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { UserError } from '../kit/errors.ts';
import { CLOSE_TOO_MANY } from '../server/publish.ts';
import type { ServerMessage, SourceState } from '../server/protocol.ts';
import { freeUdpPort } from '../kit/udp.ts';

export interface SoakOptions {
  model: string;
  kills: number;
  seconds: number;
  clients: number;
  connects: number;
}

export interface SoakReport {
  kills: { done: number; recovered: number; lost: number; recoveryMs: { p50: number | null; max: number | null }; within2s: number };
  rssMB: { start: number; end: number; growth: number };
  clients: { readers: number; minPredictionsPerReader: number; stalledClientDropped: boolean; connectsDone: number; flooderClosedWith: number | null };
  stall: { detectedAfterMs: number | null; health: number | null; recoveredAfterMs: number | null };
  leftover: number[];
}

const CLI = fileURLToPath(new URL('../bin/smashsight.js', import.meta.url));

const say = (line: string): void => void process.stderr.write(`soak: ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Processes carrying the soak's marker in their environment: the server and all it started. */
function marked(marker: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'utf8').includes(marker)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function childrenNamed(parent: number, comm: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && m[1] === comm && Number(m[2]) === parent) out.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return out;
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface Served {
  proc: ChildProcess;
  url: string;
  exited: Promise<void>;
}

function serve(args: string[], env: NodeJS.ProcessEnv): Promise<Served> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--static', fs.mkdtempSync(path.join(os.tmpdir(), 'ss-soak-')), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += String(d);
      const m = /overlay:\s+(http:\/\/[^/\s]+)\/overlay/.exec(out);
      if (m) resolve({ proc, url: m[1]!, exited });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then(() => reject(new UserError(`the server exited before serving:\n${out}`)));
  });
}

class Client {
  readonly ws: WebSocket;
  predictions = 0;
  /** When the newest prediction arrived, and when its frame was captured. */
  lastPredictionAt = 0;
  lastCapturedAt = 0;
  source: SourceState | null = null;
  closedWith: number | null = null;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => {
      this.closedWith = code;
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as ServerMessage;
      if (m.type === 'prediction') {
        this.predictions++;
        this.lastPredictionAt = Date.now();
        this.lastCapturedAt = m.capturedAt;
      } else if (m.type === 'status' || m.type === 'hello') this.source = m.type === 'status' ? m.source.state : m.state.source.state;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves when `check` holds after some message, or false after `ms`. */
  until(check: () => boolean, ms: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      const again = (): void => {
        if (check()) {
          clearTimeout(timer);
          resolve(true);
        } else this.waiters.push(again);
      };
      this.waiters.push(again);
    });
  }
}

const pct = (values: number[], p: number): number | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  if (process.platform !== 'linux') throw new UserError('bench-soak finds processes through /proc: Linux only');
  const marker = `SMASHSIGHT_SOAK=${randomUUID()}`;
  const env = { ...process.env, SMASHSIGHT_SOAK: marker.split('=')[1] };
  const server = await serve(['--model', o.model, '--source', 'synthetic'], env);
  const pid = server.proc.pid!;
  const report: SoakReport = {
    kills: { done: 0, recovered: 0, lost: 0, recoveryMs: { p50: null, max: null }, within2s: 0 },
    rssMB: { start: 0, end: 0, growth: 0 },
    clients: { readers: o.clients - 1, minPredictionsPerReader: 0, stalledClientDropped: false, connectsDone: 0, flooderClosedWith: null },
    stall: { detectedAfterMs: null, health: null, recoveredAfterMs: null },
    leftover: [],
  };
  try {
    // 50 clients: all read but one, which stops reading its socket after the hello.
    const readers = Array.from({ length: o.clients - 1 }, () => new Client(server.url));
    const stalled = new Client(server.url);
    await Promise.all([...readers, stalled].map((c) => c.opened));
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    const monitor = readers[0]!;
    await monitor.until(() => monitor.predictions > 0, 60_000);
    await sleep(3000); // warm: the engine's first runs, the pages' first states
    report.rssMB.start = rssMB(pid);
    say(`server pid ${pid}, ${o.clients} clients (one not reading), RSS ${report.rssMB.start.toFixed(1)} MB`);

    // Connects and disconnects, spread over the run, alongside the kills.
    const churn = (async () => {
      const gap = (o.seconds * 1000) / Math.max(1, o.connects);
      for (let i = 0; i < o.connects; i++) {
        const c = new Client(server.url);
        await c.opened.catch(() => {});
        c.ws.close();
        report.clients.connectsDone++;
        await sleep(gap);
      }
    })();
    // Half way, a ping flood from one more client.
    const flood = (async () => {
      await sleep((o.seconds * 1000) / 2);
      const f = new Client(server.url);
      await f.opened;
      const ping = JSON.stringify({ type: 'ping', t: 1 });
      for (let i = 0; i < 10_000; i++) f.ws.send(ping);
      await f.until(() => f.closedWith !== null, 30_000);
      report.clients.flooderClosedWith = f.closedWith;
      say(`ping flood: closed with ${f.closedWith}${f.closedWith === CLOSE_TOO_MANY ? ' (too many messages)' : ''}`);
    })();

    const recoveries: number[] = [];
    const interval = (o.seconds * 1000) / o.kills;
    for (let k = 0; k < o.kills; k++) {
      const started = Date.now();
      const ffmpeg = childrenNamed(pid, 'ffmpeg');
      if (ffmpeg.length === 0) {
        // still restarting from the previous kill: that one was lost
        await sleep(interval);
        continue;
      }
      for (const p of ffmpeg) process.kill(p, 'SIGKILL');
      report.kills.done++;
      const killedAt = Date.now();
      // Recovered: a prediction of a frame captured after the kill (those in flight do not count).
      const back = await monitor.until(() => monitor.lastCapturedAt > killedAt, Math.max(interval, 10_000));
      if (back) {
        recoveries.push(monitor.lastPredictionAt - killedAt);
        report.kills.recovered++;
      } else report.kills.lost++;
      if ((k + 1) % 10 === 0) say(`${k + 1}/${o.kills} kills, slowest recovery so far ${Math.max(...recoveries, 0)} ms, RSS ${rssMB(pid).toFixed(1)} MB`);
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
    await Promise.all([churn, flood]);
    report.kills.recoveryMs = { p50: pct(recoveries, 50), max: pct(recoveries, 100) };
    report.kills.within2s = recoveries.filter((ms) => ms <= 2000).length;
    report.rssMB.end = rssMB(pid);
    report.rssMB.growth = report.rssMB.end - report.rssMB.start;
    report.clients.minPredictionsPerReader = Math.min(...readers.map((c) => c.predictions));
    // The silent client cannot see its own close (it reads nothing): the server's count says, less the flooder.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const dropped = Number(/smashsight_clients_dropped_total (\d+)/.exec(metrics)?.[1] ?? 0);
    report.clients.stalledClientDropped = dropped > (report.clients.flooderClosedWith === CLOSE_TOO_MANY ? 1 : 0);
    for (const c of [...readers, stalled]) c.ws.terminate();
  } finally {
    server.proc.kill('SIGINT');
    await server.exited;
  }

  // A udp:// stream whose sender goes quiet, then comes back (a second server).
  const port = await freeUdpPort();
  const url = `udp://127.0.0.1:${port}`;
  const send = (): ChildProcess =>
    spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-f', 'mpegts', `${url}?pkt_size=1316`], {
      stdio: 'ignore',
      env,
    });
  let sender = send();
  const udp = await serve(['--model', o.model, '--source', `url:${url}`, '--stall-seconds', '3'], env);
  try {
    const c = new Client(udp.url);
    await c.opened;
    if (!(await c.until(() => c.predictions > 0, 60_000))) throw new UserError('the udp stream never delivered a frame');
    sender.kill('SIGKILL');
    const quiet = Date.now();
    if (await c.until(() => c.source === 'stalled', 30_000)) {
      report.stall.detectedAfterMs = Date.now() - quiet;
      report.stall.health = (await fetch(`${udp.url}/health`)).status;
    }
    sender = send();
    const resumed = Date.now();
    const seen = c.predictions;
    if (await c.until(() => c.predictions > seen, 90_000)) report.stall.recoveredAfterMs = Date.now() - resumed;
    c.ws.terminate();
  } finally {
    sender.kill('SIGKILL');
    udp.proc.kill('SIGINT');
    await udp.exited;
  }
  // Whatever the servers started must be gone with them (our own udp sender excepted).
  await sleep(1000);
  report.leftover = marked(marker).filter((p) => p !== sender.pid && p !== process.pid);
  return report;
}

export function printSoak(r: SoakReport): void {
  const lines = [
    `ffmpeg kills        ${r.kills.done}: ${r.kills.recovered} recovered, ${r.kills.lost} lost; ${r.kills.within2s} within 2 s; recovery p50 ${r.kills.recoveryMs.p50} ms, slowest ${r.kills.recoveryMs.max} ms`,
    `server RSS          ${r.rssMB.start.toFixed(1)} MB at start, ${r.rssMB.end.toFixed(1)} MB at end (${r.rssMB.growth >= 0 ? '+' : ''}${r.rssMB.growth.toFixed(1)} MB)`,
    `clients             ${r.clients.readers} readers, each got ≥ ${r.clients.minPredictionsPerReader} predictions; the one not reading ${r.clients.stalledClientDropped ? 'was dropped' : 'was not dropped (what it left unread never passed the caps)'}`,
    `connect/disconnect  ${r.clients.connectsDone}`,
    `ping flood          closed with ${r.clients.flooderClosedWith ?? 'nothing (still open)'}`,
    `stalled udp stream  ${r.stall.detectedAfterMs === null ? 'never reported stalled' : `stalled after ${r.stall.detectedAfterMs} ms (/health ${r.stall.health})`}; ${r.stall.recoveredAfterMs === null ? 'did not recover' : `frames again ${r.stall.recoveredAfterMs} ms after the sender came back`}`,
    `left behind         ${r.leftover.length === 0 ? 'no process' : `processes ${r.leftover.join(', ')}`}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
