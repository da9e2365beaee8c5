// `models fetch vgg16`: download the Keras ImageNet notop weights, verify md5, import. Offline it
// fails within seconds (connect timeout) and says where to put the file by hand.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../kit/errors.ts';
import { createProgress } from '../kit/progress.ts';
import { md5File, VGG16_NOTOP_FILE, VGG16_NOTOP_MD5, VGG16_NOTOP_URL } from './keras-files.ts';

export interface FetchOptions {
  out: string;
  cache: string;
  url?: string;
  timeoutMs: number;
}

function manualHint(target: string): string {
  return `download ${VGG16_NOTOP_URL} (md5 ${VGG16_NOTOP_MD5}) on a machine with internet, put it at ${target}, then run: smashsight models import-keras ${target}`;
}

async function download(url: string, target: string, timeoutMs: number): Promise<void> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal: ctl.signal });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new UserError(`cannot reach ${new URL(url).host} (${e.cause?.message ?? e.message}): ${manualHint(target)}`);
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || !res.body) throw new UserError(`${url}: HTTP ${res.status}: ${manualHint(target)}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const tmp = `${target}.part-${process.pid}`;
  const out = fs.createWriteStream(tmp);
  const progress = createProgress(`downloading ${VGG16_NOTOP_FILE} (bytes)`, total);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      progress.tick(chunk.length);
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    progress.done();
    fs.renameSync(tmp, target);
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw new UserError(`${url}: download failed (${(err as Error).message}): ${manualHint(target)}`);
  }
}

export async function fetchVgg16(o: FetchOptions): Promise<string> {
  fs.mkdirSync(o.cache, { recursive: true });
  const target = path.join(o.cache, VGG16_NOTOP_FILE);
  if (!fs.existsSync(target) || md5File(target) !== VGG16_NOTOP_MD5) {
    await download(o.url ?? VGG16_NOTOP_URL, target, o.timeoutMs);
  }
  const md5 = md5File(target);
  if (md5 !== VGG16_NOTOP_MD5) {
    fs.rmSync(target, { force: true });
    throw new UserError(`${target}: md5 ${md5} is not the published ${VGG16_NOTOP_MD5}; removed it: ${manualHint(target)}`);
  }
  // h5wasm takes seconds to load: only once the file is here.
  const { importKeras } = await import('./import-keras.ts');
  return importKeras(target, { out: o.out, replace: true }); // the published file again: same folder
}
