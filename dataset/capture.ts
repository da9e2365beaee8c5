// `smashsight capture`: labelled JPEGs from any source, named like the notebook's frames and numbered
// on from the label's highest number, never overwriting an existing file.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import { openFrames, type Frame } from '../source/frames.ts';
import { formatSourceSpec, type SourceSpec } from '../source/spec.ts';
import { formatFrameName, parseFrameName, type FrameName } from './naming.ts';
import { checkWritableFolder } from './paths.ts';
import { appendSession, labelOf } from './sessions.ts';

export interface CaptureOptions {
  source: SourceSpec;
  label: Omit<FrameName, 'number'>;
  fps: number;
  out: string;
  frames?: number;
  seconds?: number;
  width: number;
  height: number;
  quality: number;
}

const MAX_PENDING = 8;
const RESUME_AT = 2;

/** Highest frame number already used by `label` in `dir` (0 when none). */
export async function highestNumber(dir: string, label: string): Promise<number> {
  let files: string[];
  try {
    files = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let max = 0;
  for (const f of files) {
    if (!f.startsWith(`${label}_bg_on_`)) continue;
    try {
      max = Math.max(max, parseFrameName(f).number);
    } catch {
      // a stray file with a near-miss name doesn't take part in numbering
    }
  }
  return max;
}

export async function runCapture(o: CaptureOptions, log: (line: string) => void = console.log): Promise<string[]> {
  const { default: sharp } = await import('sharp');
  const label = labelOf(o.label);
  const dir = path.join(o.out, o.label.character);
  checkWritableFolder(dir, `--out ${o.out}`); // before the source starts, not after the first frame
  let number = await highestNumber(dir, label);
  const first = number + 1;
  const started = new Date().toISOString();
  const written: string[] = [];
  const expected = o.frames ?? (o.seconds ? Math.round(o.seconds * o.fps) : 0);
  const progress = createProgress(`capturing ${label}`, expected);

  const save = async (frame: Frame): Promise<void> => {
    const jpeg = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .jpeg({ quality: o.quality })
      .toBuffer();
    if (written.length === 0) {
      // a source that never starts leaves no folder
      await fs.mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        throw new UserError(`--out ${o.out}: cannot make ${dir} (${err.code ?? err.message})`);
      });
    }
    for (;;) {
      const file = path.join(dir, formatFrameName({ ...o.label, number: ++number }));
      try {
        await fs.writeFile(file, jpeg, { flag: 'wx' });
        written.push(file);
        progress.tick();
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new UserError(`${file}: cannot write the frame (${code ?? (err as Error).message})`);
        // another writer took this number: take the next one
      }
    }
  };

  const stream = openFrames(o.source, { width: o.width, height: o.height, fps: o.fps });
  let accepted = 0;
  let pending = 0;
  let writes = Promise.resolve();
  let failure: unknown;
  const outcome = new Promise<{ code: number | null; tail: string; stoppedByUs: boolean }>((resolve) => {
    const finish = (code: number | null, tail: string, stoppedByUs: boolean): void => {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      resolve({ code, tail, stoppedByUs });
    };
    const stopNow = (): void => {
      stream.stop(); // no events follow a stop(), so finish here
      finish(0, '', true);
    };
    const onSigint = (): void => stopNow();
    const timer = o.seconds ? setTimeout(stopNow, o.seconds * 1000) : undefined;
    process.on('SIGINT', onSigint);
    stream.on('frame', (frame: Frame) => {
      if (o.frames !== undefined && accepted >= o.frames) return;
      accepted++;
      // A file decodes faster than JPEGs encode: hold ffmpeg back instead of queueing frames.
      if (++pending >= MAX_PENDING) stream.pause?.();
      writes = writes
        .then(() => save(frame))
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => {
          if (--pending === RESUME_AT) stream.resume?.();
        });
      if (o.frames !== undefined && accepted >= o.frames) stopNow();
    });
    stream.on('exit', (code: number | null, tail: string) => finish(code, tail, false));
  });

  const result = await outcome;
  await writes;
  progress.done();
  if (written.length > 0) appendSession(o.out, { label, from: first, to: number, started });
  if (failure) throw failure;
  if (!result.stoppedByUs && result.code !== 0) {
    throw new UserError(
      `source '${formatSourceSpec(o.source)}' failed (ffmpeg exit ${result.code}) after ${written.length} frame(s): ${lastLine(result.tail)}`,
    );
  }
  log(`${dir}: wrote ${written.length} frame(s) ${written.length ? `${path.basename(written[0]!)} … ${path.basename(written.at(-1)!)}` : ''}`.trim());
  return written;
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || 'no message';
}
