// Progress for long work: rate and ETA, one rewritten line on a TTY, a plain line every ~2 s
// otherwise (so CI logs stay readable).

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const LOG_INTERVAL_MS = 2000;
const TTY_INTERVAL_MS = 100;

export function createProgress(label: string, total: number, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let count = 0;
  let lastPrint = tty ? 0 : started; // logs: first line after ~2 s, so quick jobs print only the summary
  let finished = false;

  const line = (): string => {
    const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = count / seconds;
    const left = total > 0 && rate > 0 ? Math.max(total - count, 0) / rate : NaN;
    const pct = total > 0 ? ` ${((100 * count) / total).toFixed(0)}%` : '';
    const eta = Number.isFinite(left) ? ` ETA ${formatSeconds(left)}` : '';
    const of = total > 0 ? `/${total}` : '';
    return `${label}: ${count}${of}${pct} ${rate.toFixed(1)}/s${eta}`;
  };

  const print = (final: boolean): void => {
    const now = Date.now();
    if (!final && now - lastPrint < (tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
    lastPrint = now;
    if (tty) stream.write(`\r\x1b[K${line()}${final ? '\n' : ''}`);
    else stream.write(`${line()}\n`);
  };

  return {
    tick(n = 1) {
      count += n;
      print(false);
    },
    done() {
      if (finished) return;
      finished = true;
      const seconds = (Date.now() - started) / 1000;
      if (tty) stream.write(`\r\x1b[K`);
      stream.write(`${label}: ${count} in ${formatSeconds(seconds)} (${(count / Math.max(seconds, 1e-3)).toFixed(1)}/s)\n`);
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
