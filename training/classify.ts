// Runs a model over image files in batches (decode ahead while the engine runs), for evaluation
// and prediction. Undecodable files are reported; they stop the run unless skipBad.
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import type { Engine } from '../engine/engine.ts';
import { decodeMany } from './image-input.ts';

export interface Classified {
  /** Row i holds the outputs for files[done[i]]. */
  outputs: Float32Array;
  done: number[];
  bad: { path: string; reason: string }[];
}

export async function classifyFiles(
  engine: Engine,
  files: string[],
  o: { batch?: number; skipBad: boolean; label?: string; log?: NodeJS.WritableStream },
): Promise<Classified> {
  const batch = Math.max(1, o.batch ?? 16);
  const k = engine.outputSize;
  const frameBytes = engine.width * engine.height * 3;
  const log = o.log ?? process.stderr;
  const outputs = new Float32Array(files.length * k);
  const done: number[] = [];
  const bad: Classified['bad'] = [];
  const progress = createProgress(o.label ?? 'classify', files.length, log);
  const decode = (s: number) => decodeMany(files.slice(s, s + batch), engine.width, engine.height);
  let next = files.length > 0 ? decode(0) : undefined;
  for (let s = 0; s < files.length; s += batch) {
    const results = await next!;
    next = s + batch < files.length ? decode(s + batch) : undefined;
    const good: number[] = [];
    results.forEach((r, j) => {
      if (r.ok) good.push(j);
      else if (o.skipBad) {
        log.write(`skipping ${files[s + j]}: ${r.reason}\n`);
        bad.push({ path: files[s + j], reason: r.reason });
      } else {
        next?.catch(() => undefined);
        throw new UserError(`${r.reason} (use --skip-bad to skip bad images)`);
      }
    });
    if (good.length > 0) {
      const frames = new Uint8Array(good.length * frameBytes);
      good.forEach((j, i) => frames.set((results[j] as { data: Buffer }).data, i * frameBytes));
      const out = await engine.run(frames, good.length);
      outputs.set(out, done.length * k);
      for (const j of good) done.push(s + j);
    }
    progress.tick(results.length);
  }
  progress.done();
  return { outputs: outputs.subarray(0, done.length * k), done, bad };
}
