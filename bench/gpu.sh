#!/usr/bin/env bash
# bench/gpu.sh: VGG16 without top at 224 (random weights: speed only) at batch 1/8/32, fp32 and
# fp16, on whatever GPU runtime the machine has, run once, offline. Every figure names the runtime
# that produced it:
#   1. PyTorch (CUDA, cuDNN): fp32 and fp16 of the project's graph interface (bench/gpu_peer.py),
#      which also exports that network as ONNX, fp32 and fp16, for the runtimes below;
#   2. ONNX Runtime from Python (onnxruntime-gpu), CUDA provider, on those graphs;
#   3. ONNX Runtime from Node (the project's engine), CUDA provider: the project's onnxruntime-node
#      when it has its CUDA libraries, else (when the npm registry answers) onnxruntime-node 1.29.0
#      with the CUDA provider libraries of com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 copied in
#      (ONNX Runtime 1.29, built for CUDA 13); plus the project's own VGG16 graph when Node can build it.
# A runtime that is missing is said so, with why, and the script goes on.
#   bash bench/gpu.sh                      on the GPU machine
#   bash bench/gpu.sh --cpu --batches 1,2 --runs 2 --size 64    the same code paths on a CPU (a check)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD

DEVICE=cuda
BATCHES=1,8,32
RUNS=30
SIZE=224
WORK=${GPU_BENCH_DIR:-${TMPDIR:-/tmp}/smashsight-gpu-bench}
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) DEVICE=cpu ;;
    --batches) BATCHES=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --work) WORK=$2; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench/gpu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$BATCHES" in *[!0-9,]* | '') echo "bench/gpu.sh: --batches $BATCHES: a comma list of positive integers" >&2; exit 2 ;; esac
case "$RUNS$SIZE" in *[!0-9]*) echo "bench/gpu.sh: --runs and --size take positive integers" >&2; exit 2 ;; esac
[ $((SIZE % 32)) -eq 0 ] && [ "$SIZE" -ge 32 ] || { echo "bench/gpu.sh: --size $SIZE: a multiple of 32 (VGG16's five pools)" >&2; exit 2; }
mkdir -p "$WORK"
if [ "$DEVICE" = cuda ]; then ORT_EP=cuda; PY_EP=CUDAExecutionProvider; else ORT_EP=cpu; PY_EP=CPUExecutionProvider; fi

say() { printf '%s\n' "$*"; }
say "== bench/gpu.sh: VGG16 ${SIZE}x${SIZE}, batches $BATCHES, $RUNS timed runs each, device $DEVICE, $(date -u +%FT%TZ)"
say "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') x$(nproc 2>/dev/null); load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
if command -v nvidia-smi >/dev/null; then
  say "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
else
  say "gpu: no nvidia-smi on PATH"
fi

# ---- 1. PyTorch --------------------------------------------------------------------------------
PY=
for p in python3 /usr/bin/python3 python; do
  if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then PY=$p; break; fi
done
GRAPHS=()
if [ -z "$PY" ]; then
  say "pytorch: not installed (no python with torch): no PyTorch figures and no exported graphs"
elif [ "$DEVICE" = cuda ] && ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  say "pytorch: $("$PY" -c 'import torch; print(torch.__version__)') sees no CUDA device: no PyTorch figures; graphs exported on the CPU"
  "$PY" bench/gpu_peer.py --device cpu --batches 1 --runs 1 --warmup 0 --size "$SIZE" --export "$WORK" >/dev/null || say "pytorch: export failed"
else
  "$PY" bench/gpu_peer.py --device "$DEVICE" --batches "$BATCHES" --runs "$RUNS" --size "$SIZE" --export "$WORK" >"$WORK/pytorch.log"
  rc=$?
  grep -v '^\[' "$WORK/pytorch.log" # the figures (the last line is them as JSON)
  [ $rc -eq 0 ] || say "pytorch: failed (exit $rc)"
fi
for prec in fp32 fp16; do
  f=$WORK/vgg16-$SIZE-$prec.onnx
  [ -f "$f" ] && GRAPHS+=("torch-export-$prec=$f")
done

# ---- 2. ONNX Runtime, Python --------------------------------------------------------------------
ORTPY=
for p in $PY python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import onnxruntime, numpy' 2>/dev/null; then ORTPY=$p; break; fi
done
if [ -z "$ORTPY" ]; then
  say "onnxruntime (python): not installed (pip install onnxruntime-gpu needs the network): not measured"
elif [ ${#GRAPHS[@]} -eq 0 ]; then
  say "onnxruntime (python): no graphs to run (the PyTorch export did not run)"
else
  "$ORTPY" bench/gpu_ort.py "$PY_EP" "$BATCHES" "$RUNS" "${GRAPHS[@]}" || say "onnxruntime (python): failed"
fi

# ---- 3. ONNX Runtime, Node ----------------------------------------------------------------------
# The CUDA provider needs CUDA's own libraries; PyTorch's pip wheels carry them (nvidia/*/lib).
if [ -n "$PY" ]; then
  NV=$("$PY" -c 'import glob, os, torch; b = os.path.dirname(os.path.dirname(torch.__file__)); print(":".join(sorted(glob.glob(b + "/nvidia/*/lib")) + [os.path.dirname(torch.__file__) + "/lib"]))' 2>/dev/null)
  [ -n "$NV" ] && export LD_LIBRARY_PATH="$NV${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
ORTNODE=
if ! command -v node >/dev/null; then
  say "onnxruntime-node: no Node on this machine: not measured"
else
  BUNDLED=$ROOT/node_modules/onnxruntime-node
  if [ "$ORT_EP" = cpu ] && [ -d "$BUNDLED" ]; then
    ORTNODE=$BUNDLED
  elif [ -d "$BUNDLED" ] && find "$BUNDLED" -name 'libonnxruntime_providers_cuda.so' | grep -q .; then
    ORTNODE=$BUNDLED
  elif command -v npm >/dev/null && timeout 20 npm ping >/dev/null 2>&1; then
    say "onnxruntime-node: the project's has no CUDA provider; installing onnxruntime-node 1.29.0 + com.github.asus4.onnxruntime.linux-x64-gpu 0.4.9 into $WORK/npm"
    if npm install --prefix "$WORK/npm" --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node@1.29.0 com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 >"$WORK/npm.log" 2>&1; then
      dest=$WORK/npm/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
      find "$WORK/npm/node_modules/com.github.asus4.onnxruntime.linux-x64-gpu" -name 'libonnxruntime_providers_*.so' -exec cp {} "$dest/" \;
      ORTNODE=$WORK/npm/node_modules/onnxruntime-node
    else
      say "onnxruntime-node: npm install failed (last line: $(tail -1 "$WORK/npm.log"))"
    fi
  else
    say "onnxruntime-node: the project's install has no CUDA provider library and the npm registry does not answer: not measured"
  fi
fi
if [ -n "$ORTNODE" ]; then
  # The project's own graph (uint8 NHWC in, caffe preprocessing inside), built by its own code
  if [ -d "$ROOT/node_modules/tsx" ]; then
    PROJECT=$WORK/vgg16-$SIZE-project.onnx
    cat >"$WORK/export-project.mts" <<EOF
import fs from 'node:fs';
import { loadBackboneWeights } from '$ROOT/engine/backbone-weights.ts';
import { stageBackbone } from '$ROOT/training/backbone-source.ts';
const staged = await stageBackbone('vgg16', await loadBackboneWeights('random:1', 'vgg16'), $SIZE, $SIZE, false);
fs.copyFileSync(staged.pkg.backboneOnnxPath, '$PROJECT');
await staged.remove();
EOF
    if node "$ROOT/node_modules/tsx/dist/cli.mjs" "$WORK/export-project.mts" >/dev/null 2>"$WORK/export-project.log"; then
      GRAPHS+=("project-fp32=$PROJECT")
    else
      say "project graph: export failed ($(grep -m1 Error "$WORK/export-project.log"))"
    fi
  fi
  if [ ${#GRAPHS[@]} -eq 0 ]; then
    say "onnxruntime-node: no graphs to run"
  else
    node bench/gpu_ort.mjs "$ORTNODE" "$ORT_EP" "$BATCHES" "$RUNS" "${GRAPHS[@]}" || say "onnxruntime-node: failed"
  fi
fi
say "== done; graphs and logs in $WORK"
