# The PyTorch peer for `npm run bench:train`'s int8 rounds: VGG16 without top (the same 13 convs,
# 3x3 pad 1, relu, 2x2 max pool per block) at batch 1 on the threads asked for, fp32 channels-last
# and int8 (eager-mode static quantization on the best quantized engine the build has, per-channel weights, calibrated on a few
# patterned frames, conv+relu fused), random weights. Prints one JSON line.
import argparse, json, time

import torch
import torch.nn as nn

from vgg16_torch import vgg16_features

p = argparse.ArgumentParser()
p.add_argument('--height', type=int, default=224)
p.add_argument('--width', type=int, default=224)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--runs', type=int, default=20)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)


class Vgg16(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = vgg16_features()
        self.quant = torch.ao.quantization.QuantStub()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.features(self.quant(x)))


def frame(i):
    idx = torch.arange(3 * a.height * a.width, dtype=torch.float32).reshape(1, 3, a.height, a.width)
    return ((idx * (i + 3)) % 256 - 114.0) / 58.0


def median_ips(model, channels_last):
    times = []
    with torch.inference_mode():
        for i in range(a.warmup + a.runs):
            x = frame(i)
            if channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            t = time.perf_counter()
            model(x)
            if i >= a.warmup:
                times.append(time.perf_counter() - t)
    times.sort()
    return 1.0 / times[len(times) // 2]


fp32 = Vgg16().eval()
fp32_cl = fp32.to(memory_format=torch.channels_last)
out = {'engine': f'pytorch {torch.__version__}', 'threads': torch.get_num_threads(), 'fp32': median_ips(fp32_cl, True)}
try:
    q = Vgg16().eval()
    q.load_state_dict(fp32.state_dict())
    pairs = [[str(i), str(i + 1)] for i, m in enumerate(q.features) if isinstance(m, nn.Conv2d)]
    q.features = torch.ao.quantization.fuse_modules(q.features, pairs)
    engine = next(e for e in ('fbgemm', 'x86', 'onednn', 'qnnpack') if e in torch.backends.quantized.supported_engines)
    torch.backends.quantized.engine = engine
    q.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    out['int8_engine'] = engine
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.inference_mode():
        for i in range(4):
            q(frame(i))
    torch.ao.quantization.convert(q, inplace=True)
    out['int8'] = median_ips(q, False)
except Exception as e:  # an old or CPU-less quantization build: the fp32 figure still stands
    out['int8_error'] = str(e).splitlines()[0]
print(json.dumps(out))
