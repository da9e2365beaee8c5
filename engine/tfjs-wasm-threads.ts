// Threaded tfjs-wasm under Node. The threaded build starts its pthread workers from Blob URLs
// (worker script + main script) that Node's worker_threads cannot open, and sizes its pool by
// half the cores. During backend init only, we capture those Blobs' text into files in a
// per-version temp folder, hand Node file paths instead, and report twice the cores so the
// requested count is honoured. Everything is restored right after init.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The tfjs-backend-wasm version whose bundle these shims were checked against. */
export const WASM_THREADS_VERIFIED = '4.22.0';
const MAIN_PREFIX = 'var WasmBackendModuleThreadedSimd';
// The bundled factory refers to its module-level requires by these names (rollup's CommonJS build).
const BUNDLE_SCOPE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$2 = require('worker_threads'), " +
  "require$$3 = require('perf_hooks'), require$$4 = require('os'), commonjsGlobal = globalThis;\n";

interface PThreadModule {
  PThread?: { unusedWorkers: { unref(): void }[]; runningWorkers: { unref(): void }[] };
}

/** Runs `init` (the backend's setBackend) with the Blob/worker shims in place. */
export async function withWasmThreadShims<T>(version: string, threads: number, init: () => Promise<T>): Promise<T> {
  const dir = path.join(os.tmpdir(), `smashsight-tfjs-wasm-${version}-${process.getuid?.() ?? 0}`);
  fs.mkdirSync(dir, { recursive: true });
  const mainPath = path.join(dir, 'main.js');
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const origCpus = os.cpus;
  const texts = new WeakMap<Blob, string>();
  class CapturingBlob extends OrigBlob {
    constructor(parts?: ConstructorParameters<typeof Blob>[0], opts?: ConstructorParameters<typeof Blob>[1]) {
      super(parts ?? [], opts);
      if (!parts?.every((p) => typeof p === 'string')) return;
      const text = (parts as string[]).join('');
      texts.set(this, text);
      if (text.startsWith(MAIN_PREFIX)) writeIfChanged(mainPath, BUNDLE_SCOPE + text);
    }
  }
  globalThis.Blob = CapturingBlob;
  URL.createObjectURL = (obj: Blob): string => {
    const text = texts.get(obj);
    if (text === undefined) return origCreate(obj);
    // The worker is then sent the main script as a Blob it would also turn into a URL.
    const file = path.join(dir, 'worker.js');
    writeIfChanged(file, `URL.createObjectURL = () => ${JSON.stringify(mainPath)}; URL.revokeObjectURL = () => {};\n${text}`);
    return file;
  };
  const cpu = origCpus()[0]!;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpu);
  try {
    return await init();
  } finally {
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    os.cpus = origCpus;
  }
}

function writeIfChanged(file: string, text: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Idle pthread workers must not keep the process alive after the work is done. */
export function unrefWorkers(wasmModule: unknown): number {
  const pt = (wasmModule as PThreadModule).PThread;
  if (!pt) return 0;
  for (const w of [...pt.unusedWorkers, ...pt.runningWorkers]) w.unref();
  return pt.unusedWorkers.length + pt.runningWorkers.length;
}
