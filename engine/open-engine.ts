// Opens a model package on an engine. ONNX Runtime is the default (on 2 cores it runs VGG16 at
// ~15 frames/s, tfjs-wasm at ~2.6); tfjs stays selectable. Each engine says once what runs and why.
import fs from 'node:fs';
import { UserError } from '../kit/errors.ts';
import { defaultThreads, type Engine, type EngineOptions } from './engine.ts';
import type { ModelPackage } from './package.ts';

export async function openEngine(pkg: ModelPackage, opts: EngineOptions = {}): Promise<Engine> {
  const graph = opts.graph ?? 'model';
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`--threads: must be a positive integer, got ${threads}`);
  const onnxPath = graph === 'backbone' ? pkg.backboneOnnxPath : pkg.onnxPath;
  if ((opts.engine ?? 'onnx') === 'onnx') {
    if (!fs.existsSync(onnxPath)) throw new UserError(`${onnxPath}: missing (needed for --graph ${graph})`);
    const { openOnnxEngine } = await import('./engine-onnx.ts');
    return openOnnxEngine(onnxPath, { height: pkg.meta.input.height, width: pkg.meta.input.width, device: opts.device ?? 'auto', threads });
  }
  const { openTfjsEngine } = await import('./engine-tfjs.ts');
  // tfjs picks its thread count once per process (SMASHSIGHT_WASM_THREADS for wasm).
  return openTfjsEngine(pkg, graph);
}

export async function probeEngines(): Promise<{ name: string; ok: boolean; detail: string }[]> {
  const out: { name: string; ok: boolean; detail: string }[] = [];
  try {
    const { onnxProviders } = await import('./engine-onnx.ts');
    const p = await onnxProviders();
    out.push({ name: 'onnxruntime', ok: true, detail: `providers: ${p.available.join(', ')}${p.notes.length ? `; ${p.notes.join('; ')}` : ''}` });
  } catch (err) {
    out.push({ name: 'onnxruntime', ok: false, detail: (err as Error).message.split('\n')[0]! });
  }
  try {
    const { loadTfjs } = await import('./tfjs.ts');
    const t = await loadTfjs();
    out.push({ name: 'tfjs', ok: true, detail: `${t.backend}${t.notes.length ? ` (${t.notes.join('; ')})` : ''}` });
  } catch (err) {
    out.push({ name: 'tfjs', ok: false, detail: (err as Error).message.split('\n')[0]! });
  }
  return out;
}
