# The ONNX Runtime (Python) side of bench/gpu.sh, for a machine with onnxruntime-gpu but no Node:
# times each graph (uint8 frames [n, h, w, 3] in) at each batch on one execution provider.
# usage: python3 bench/gpu_ort.py <CUDAExecutionProvider|CPUExecutionProvider> <batches> <runs> <label=graph.onnx>...
import sys, time

import numpy as np
import onnxruntime as ort

ep, batches, runs, graphs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
if ep not in ort.get_available_providers():
    print(f'onnxruntime {ort.__version__} (python): {ep} not available (has {", ".join(ort.get_available_providers())})')
    sys.exit(0)
runtime = f'onnxruntime {ort.__version__} (python) {ep.replace("ExecutionProvider", "").lower()}'
for spec in graphs:
    label, path = spec.split('=', 1)
    # that provider alone: a fallback to the CPU would give CPU figures under the GPU's name
    s = ort.InferenceSession(path, providers=[ep])
    inp = s.get_inputs()[0]
    h, w = (d if isinstance(d, int) else 224 for d in inp.shape[1:3])
    for n in (int(b) for b in batches.split(',')):
        frames = (np.arange(n * h * w * 3, dtype=np.int64) * 31 % 256).astype(np.uint8).reshape(n, h, w, 3)
        times = []
        for i in range(5 + runs):
            t = time.perf_counter()
            s.run(None, {inp.name: frames})
            if i >= 5:
                times.append(time.perf_counter() - t)
        times.sort()
        ms = 1000 * times[len(times) // 2]
        print(f'{runtime}: {label} batch {n:>2}: {n * 1000 / ms:9.1f} frames/s, {ms:8.2f} ms per batch (median of {runs}, host copies included)', flush=True)
