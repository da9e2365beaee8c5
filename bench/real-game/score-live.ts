// Scores a running `smashsight serve` against live.sh's timeline: collects the server's
// `prediction` messages over its WebSocket, then, for each character switch in the timeline,
// skips a settle window after the switch and counts the predictions (by capture time) whose
// shown label (`regions[0].label`, the smoothed one) is the character on screen.
//
//   npx tsx bench/real-game/score-live.ts --port 8091 --timeline /tmp/live.jsonl --duration 120
//
// Collection stops after --duration seconds, once the timeline's final {"end": true} line is
// there, or on Ctrl-C / SIGTERM; then the tallies are printed. Exit 0 after scoring, 1 when
// nothing can be scored (no server, no timeline), 2 for bad flags.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { parseServerMessage } from '../../server/protocol.ts';

const USAGE = 'usage: score-live.ts --timeline FILE --duration S [--port N] [--host H] [--token T] [--settle S] [--connect-timeout S]';

interface Options {
  url: string;
  timeline: string;
  durationMs: number;
  settleMs: number;
  connectTimeoutMs: number;
}

interface Switch {
  t: number;
  label: string;
}

interface Timeline {
  switches: Switch[];
  end: number | null;
}

interface Prediction {
  capturedAt: number;
  label: string;
}

class FlagError extends Error {}

function parseOptions(argv: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string' },
        timeline: { type: 'string' },
        duration: { type: 'string' },
        settle: { type: 'string', default: '2' },
        'connect-timeout': { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new FlagError(err instanceof Error ? err.message.split('\n')[0]! : String(err));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const text = (name: string): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw new FlagError(`--${name} is required`);
    return v;
  };
  const seconds = (name: string, min: number): number => {
    const raw = text(name);
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new FlagError(`--${name} must be a number of seconds ≥ ${min}, not '${raw}'`);
    return n * 1000;
  };
  const portText = text('port');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FlagError(`--port must be an integer 1-65535, not '${portText}'`);
  const token = typeof values.token === 'string' ? `?token=${encodeURIComponent(values.token)}` : '';
  const durationMs = seconds('duration', 0.001);
  return {
    url: `ws://${text('host')}:${port}/ws${token}`,
    timeline: text('timeline'),
    durationMs,
    settleMs: seconds('settle', 0),
    connectTimeoutMs: seconds('connect-timeout', 0),
  };
}

/** live.sh's JSON lines: {"t", "label", ...} per switch, {"label": null, "end": true} last. */
function readTimeline(file: string): Timeline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file}: cannot read the timeline`);
  }
  const timeline: Timeline = { switches: [], end: null };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not JSON`);
    }
    const e = entry as { t?: unknown; label?: unknown; end?: unknown };
    if (typeof e.t !== 'number' || !Number.isFinite(e.t)) throw new Error(`${file}:${i + 1}: no numeric "t"`);
    if (e.end === true) timeline.end = e.t;
    else if (typeof e.label === 'string') timeline.switches.push({ t: e.t, label: e.label });
    else throw new Error(`${file}:${i + 1}: neither a "label" nor "end": true`);
  });
  return timeline;
}

function timelineEnded(file: string): boolean {
  try {
    return /"end":\s*true/.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** Connects (retrying until the connect timeout) and collects predictions until stop(). */
async function collect(o: Options): Promise<Prediction[]> {
  const predictions: Prediction[] = [];
  const started = Date.now();
  let stopping = false;
  let socket: WebSocket | null = null;
  let connected = false;
  let lastError = '';
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let endSeen = 0; // frames captured just before the end are still in flight: wait a second
  const timer = setInterval(() => {
    if (endSeen === 0 && timelineEnded(o.timeline)) endSeen = Date.now();
    if (Date.now() - started >= o.durationMs || (endSeen > 0 && Date.now() - endSeen >= 1000)) stop();
  }, 250);
  try {
    while (!stopping) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        const ws = new WebSocket(o.url);
        socket = ws;
        ws.on('open', () => {
          if (!connected) console.error(`score-live: connected to ${o.url}`);
          connected = true;
        });
        ws.on('message', (data) => {
          const parsed = parseServerMessage(String(data));
          if (!parsed.ok || parsed.value.type !== 'prediction') return;
          const region = parsed.value.regions[0];
          if (region) predictions.push({ capturedAt: parsed.value.capturedAt, label: region.label });
        });
        ws.on('error', (err) => {
          lastError = err.message;
        });
        ws.on('close', () => resolve());
      });
      if (stopping) break;
      if (!connected && Date.now() - started >= o.connectTimeoutMs) {
        throw new Error(`${o.url}: no connection within ${o.connectTimeoutMs / 1000} s (${lastError || 'closed'})`);
      }
      await new Promise((r) => setTimeout(r, 500)); // the server is not up yet, or restarted
    }
  } finally {
    clearInterval(timer);
    (socket as WebSocket | null)?.terminate();
  }
  return predictions;
}

function score(timeline: Timeline, predictions: Prediction[], settleMs: number): void {
  const { switches } = timeline;
  if (switches.length === 0) throw new Error('the timeline has no switches');
  const t0 = switches[0]!.t;
  const lastSeen = predictions.reduce((m, p) => Math.max(m, p.capturedAt), -Infinity);
  let correct = 0;
  let counted = 0;
  console.log(`switch   at_s  character   scored  correct  frac   most shown (count)`);
  switches.forEach((s, i) => {
    const until = switches[i + 1]?.t ?? timeline.end ?? lastSeen + 1;
    const from = s.t + settleMs;
    const shown = predictions.filter((p) => p.capturedAt >= from && p.capturedAt < until);
    const hits = shown.filter((p) => p.label === s.label).length;
    const tally = new Map<string, number>();
    for (const p of shown) tally.set(p.label, (tally.get(p.label) ?? 0) + 1);
    const top = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 3);
    correct += hits;
    counted += shown.length;
    const frac = shown.length > 0 ? (hits / shown.length).toFixed(3) : '  -  ';
    console.log(
      `${String(i + 1).padStart(6)} ${((s.t - t0) / 1000).toFixed(1).padStart(6)}  ${s.label.padEnd(10)} ${String(shown.length).padStart(7)} ${String(hits).padStart(8)}  ${frac}  ${top.map(([l, n]) => `${l} (${n})`).join(', ')}`,
    );
  });
  const inSettle = predictions.filter((p) => switches.some((s) => p.capturedAt >= s.t && p.capturedAt < s.t + settleMs)).length;
  const overall = counted > 0 ? (correct / counted).toFixed(3) : 'n/a (no predictions in any scored window)';
  console.log(
    `overall: ${correct}/${counted} = ${overall} (${switches.length} switches, settle ${settleMs / 1000} s; ${predictions.length} predictions received, ${inSettle} in settle windows skipped)`,
  );
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`score-live: ${err.message} (--help for usage)`);
    process.exit(2);
  }
  try {
    const predictions = await collect(o);
    score(readTimeline(o.timeline), predictions, o.settleMs);
    process.exit(0);
  } catch (err) {
    console.error(`score-live: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

await main();
