# The PyTorch side of bench/gpu.sh: VGG16 without top at 224 (random weights: speed only) at each
# batch, fp32 and fp16, with the project's graph interface (uint8 NHWC frames in, caffe
# preprocessing inside, [n, 25088] float features out). Prints one line per figure, naming the
# runtime, and with --export DIR writes the same network as ONNX (fp32 and fp16) for ONNX Runtime.
import argparse, json, os, time

import torch
import torch.nn as nn

from vgg16_torch import vgg16_features

p = argparse.ArgumentParser()
p.add_argument('--device', default='cuda')
p.add_argument('--batches', default='1,8,32')
p.add_argument('--size', type=int, default=224)
p.add_argument('--warmup', type=int, default=5)
p.add_argument('--runs', type=int, default=30)
p.add_argument('--export', help='write vgg16-<size>-fp32.onnx and -fp16.onnx here')
a = p.parse_args()

torch.manual_seed(0)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


class Graph(nn.Module):
    """frames uint8 [n, h, w, 3] RGB → BGR minus the caffe mean → VGG16 → [n, h/32 * w/32 * 512] (NHWC order)."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype
        self.features = vgg16_features()
        self.register_buffer('mean', torch.tensor(CAFFE_MEAN_BGR).view(1, 3, 1, 1))

    def forward(self, frames):
        x = frames.permute(0, 3, 1, 2).flip(1).to(self.dtype) - self.mean.to(self.dtype)
        y = self.features(x.contiguous(memory_format=torch.channels_last))
        return y.permute(0, 2, 3, 1).flatten(1).float()


def build(dtype):
    return Graph(dtype).eval().to(dtype=dtype).to(memory_format=torch.channels_last)


def describe(device):
    if device.type == 'cuda':
        return f'pytorch {torch.__version__} cuda {torch.version.cuda} cudnn {torch.backends.cudnn.version()} on {torch.cuda.get_device_name(device)}'
    return f'pytorch {torch.__version__} cpu ({torch.get_num_threads()} threads)'


def time_batches(device, precision, model):
    rows = []
    for n in (int(b) for b in a.batches.split(',')):
        frames = torch.randint(0, 256, (n, a.size, a.size, 3), dtype=torch.uint8, device=device)
        times = []
        with torch.inference_mode():
            for i in range(a.warmup + a.runs):
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                t = time.perf_counter()
                model(frames)
                if device.type == 'cuda':
                    torch.cuda.synchronize(device)
                if i >= a.warmup:
                    times.append(time.perf_counter() - t)
        times.sort()
        ms = 1000 * times[len(times) // 2]
        rows.append({'runtime': describe(device), 'precision': precision, 'batch': n, 'ms': ms, 'framesPerSecond': n * 1000 / ms})
        print(f'{describe(device)}: {precision} batch {n:>2}: {n * 1000 / ms:9.1f} frames/s, {ms:8.2f} ms per batch (median of {a.runs})', flush=True)
    return rows


def export(model, dtype_name, device, out_dir):
    path = os.path.join(out_dir, f'vgg16-{a.size}-{dtype_name}.onnx')
    frames = torch.zeros((1, a.size, a.size, 3), dtype=torch.uint8, device=device)
    kw = dict(input_names=['frames'], output_names=['output'], dynamic_axes={'frames': {0: 'n'}, 'output': {0: 'n'}}, opset_version=17)
    try:
        torch.onnx.export(model, (frames,), path, dynamo=False, **kw)  # the TorchScript exporter: no onnxscript needed
    except TypeError:  # torch before 2.5 has no dynamo flag
        torch.onnx.export(model, (frames,), path, **kw)
    print(f'exported {path} ({os.path.getsize(path) / 1e6:.1f} MB, {describe(device)})', flush=True)


device = torch.device(a.device)
if device.type == 'cuda':
    torch.backends.cudnn.benchmark = True  # picks the fastest conv algorithm per shape, once
out = []
for name, dtype in (('fp32', torch.float32), ('fp16', torch.float16)):
    if dtype == torch.float16 and device.type == 'cpu':
        print(f'{describe(device)}: fp16: skipped (half-precision convs are a GPU figure; old CPU builds lack them)', flush=True)
        continue
    model = build(dtype).to(device)
    out += time_batches(device, name, model)
    if a.export:
        export(model, name, device, a.export)
print(json.dumps(out))
