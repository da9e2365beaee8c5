// The worker side of engine-worker.ts: one ONNX Runtime engine, opened exactly as on the main
// thread (same provider choice and announcements), answering run requests in order.
import { parentPort, workerData } from 'node:worker_threads';
import { openOnnxEngine } from './engine-onnx.ts';
import type { FromWorker, ToWorker, WorkerOpen } from './engine-worker.ts';

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const o = (workerData as { open: WorkerOpen }).open;

try {
  const engine = await openOnnxEngine(o.file, o.options);
  post({ type: 'ready', name: engine.name, provider: engine.provider, threads: engine.threads, outputSize: engine.outputSize });
  port.on('message', async (m: ToWorker) => {
    if (m.type === 'close') {
      await engine.dispose();
      port.close();
      return;
    }
    try {
      const out = await engine.run(new Uint8Array(m.frames), m.n);
      const copy = out.slice(); // a buffer of its own, to transfer
      post({ type: 'result', id: m.id, data: copy.buffer }, [copy.buffer]);
    } catch (err) {
      post({ type: 'failed', id: m.id, message: (err as Error).message });
    }
  });
} catch (err) {
  post({ type: 'error', message: (err as Error).message });
}
