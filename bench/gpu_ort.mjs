// The ONNX Runtime (Node) side of bench/gpu.sh, plain JavaScript so it runs with no build step and
// any onnxruntime-node (the project's, or 1.29 with CUDA providers copied in): times each graph
// (uint8 frames [n, h, w, 3] in) at each batch on one execution provider and prints a line per figure.
// usage: node bench/gpu_ort.mjs <onnxruntime-node dir> <ep> <batches> <runs> <label=graph.onnx>...
import { createRequire } from 'node:module';

const [ortDir, ep, batches, runs, ...graphs] = process.argv.slice(2);
if (!ortDir || !ep || !batches || !runs || graphs.length === 0) {
  console.error('usage: node bench/gpu_ort.mjs <onnxruntime-node dir> <cpu|cuda|...> <batches e.g. 1,8,32> <runs> <label=file.onnx>...');
  process.exit(2);
}
const ort = createRequire(import.meta.url)(ortDir);
const runtime = `onnxruntime-node ${ort.env.versions.common} ${ep}`;
const warmup = 5;

for (const spec of graphs) {
  const [label, file] = spec.split('=');
  let session;
  try {
    // `ep` alone: a graph that falls back to the CPU would give CPU figures under the GPU's name
    session = await ort.InferenceSession.create(file, { executionProviders: [ep], graphOptimizationLevel: 'all' });
  } catch (err) {
    console.log(`${runtime}: ${label}: cannot load (${String(err.message ?? err).split('\n')[0]})`);
    continue;
  }
  const [, h, w] = session.inputMetadata[0]?.shape ?? [];
  const side = (d) => (typeof d === 'number' ? d : 224);
  for (const n of batches.split(',').map(Number)) {
    const frames = new Uint8Array(n * side(h) * side(w) * 3).map((_, i) => (i * 31) & 255);
    const input = new ort.Tensor('uint8', frames, [n, side(h), side(w), 3]);
    const times = [];
    for (let i = 0; i < warmup + Number(runs); i++) {
      const t = performance.now();
      const out = await session.run({ [session.inputNames[0]]: input });
      for (const v of Object.values(out)) v.dispose?.();
      if (i >= warmup) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const ms = times[times.length >> 1];
    console.log(`${runtime}: ${label} batch ${String(n).padStart(2)}: ${((n * 1000) / ms).toFixed(1).padStart(9)} frames/s, ${ms.toFixed(2).padStart(8)} ms per batch (median of ${runs}, host copies included)`);
  }
  await session.release();
}
