// Opens a model package on an engine. ONNX Runtime is the default (on 2 cores it runs VGG16 at
// ~15 frames/s, tfjs-wasm at ~2.6); tfjs stays selectable. Each engine says once what runs and why.
import fs from 'node:fs';
import { hasVnni } from '../kit/cpu.ts';
import { UserError } from '../kit/errors.ts';
import { announce, defaultThreads, type Engine, type EngineKind, type EngineOptions, type Precision } from './engine.ts';
import type { ModelPackage } from './package.ts';

/** Which graph runs: int8 only where asked, or by default where the CPU has VNNI; said once. */
export function choosePrecision(pkg: ModelPackage, precision: Precision, engine: EngineKind): 'int8' | 'fp32' {
  if (precision === 'int8') {
    if (!pkg.int8Path)
      throw new UserError(`--precision int8: ${pkg.dir} has no int8 graph (make one with \`smashsight models quantize ${pkg.dir} --data <split root>\`)`);
    if (engine !== 'onnx') throw new UserError('--precision int8: only the onnx engine runs int8 graphs');
    announce(`precision: int8 (${pkg.int8Path})`);
    return 'int8';
  }
  if (precision === 'fp32' || !pkg.int8Path || engine !== 'onnx') return 'fp32';
  if (hasVnni()) {
    announce(`precision: int8 (${pkg.int8Path}; the CPU has VNNI; --precision fp32 for the float graph)`);
    return 'int8';
  }
  announce('precision: fp32 (the package has an int8 graph; by default it runs only on CPUs with VNNI, which this one lacks: --precision int8 to run it here)');
  return 'fp32';
}

export async function openEngine(pkg: ModelPackage, opts: EngineOptions = {}): Promise<Engine> {
  const graph = opts.graph ?? 'model';
  const threads = opts.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`--threads: must be a positive integer, got ${threads}`);
  const engine = opts.engine ?? 'onnx';
  const int8 = graph === 'model' && choosePrecision(pkg, opts.precision ?? 'auto', engine) === 'int8';
  const onnxPath = graph === 'backbone' ? pkg.backboneOnnxPath : int8 ? pkg.int8Path! : pkg.onnxPath;
  if (engine === 'onnx') {
    if (!fs.existsSync(onnxPath)) throw new UserError(`${onnxPath}: missing (needed for --graph ${graph})`);
    const options = { height: pkg.meta.input.height, width: pkg.meta.input.width, device: opts.device ?? 'auto', threads, arena: opts.arena ?? true };
    if (opts.worker) {
      const { openWorkerEngine } = await import('./engine-onnx.ts');
      return openWorkerEngine({ file: onnxPath, options });
    }
    const { openOnnxEngine } = await import('./engine-onnx.ts');
    return openOnnxEngine(onnxPath, options);
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
