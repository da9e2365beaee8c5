# The PyTorch peer for `npm run bench:train`: the same bn5 network (conv 3x3 no bias → batch norm →
# relu → 2x2 max pool per block, global average pooling, dense softmax), trained end to end with
# Adam on random frames, channels-last, on the threads asked for. Prints one JSON line.
import argparse, json, time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('--channels', default='16,32,64,128,256')
p.add_argument('--height', type=int, default=120)
p.add_argument('--width', type=int, default=160)
p.add_argument('--batch', type=int, default=32)
p.add_argument('--classes', type=int, default=8)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--warmup', type=int, default=2)
p.add_argument('--steps', type=int, default=8)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
layers, cin = [], 3
for c in (int(x) for x in a.channels.split(',')):
    layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c, momentum=0.1, eps=1e-3), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
    cin = c
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, a.classes)).to(memory_format=torch.channels_last)
opt = torch.optim.Adam(model.parameters(), 1e-3)
frames = torch.randint(0, 256, (a.batch, 3, a.height, a.width), dtype=torch.uint8)
labels = torch.randint(0, a.classes, (a.batch,))
loss_fn = nn.CrossEntropyLoss()


def step():
    x = (frames.float() - 114.0).contiguous(memory_format=torch.channels_last)
    opt.zero_grad(set_to_none=True)
    loss_fn(model(x), labels).backward()
    opt.step()


for _ in range(a.warmup):
    step()
t0 = time.perf_counter()
for _ in range(a.steps):
    step()
s = time.perf_counter() - t0
print(json.dumps({'engine': f'pytorch {torch.__version__}', 'threads': torch.get_num_threads(), 'imagesPerSecond': a.steps * a.batch / s}))
