# The PyTorch peer for the real-game parity figure: trains bn5 from random weights on a split
# folder (<data>/{train,valid,test}/images/<class>/*.jpg, the layout `smashsight split` writes)
# with the same network and recipe as `smashsight train --from-scratch --backbone bn5`, and prints
# test top-1. Network: bench/train_peer.py's bn5 (conv 3x3 no bias -> batch norm (momentum 0.1 =
# Keras 0.9, eps 1e-3) -> relu -> 2x2 max pool, 16..256 channels), then the head
# `--width N --depth D` (global average pooling, or max with --pool max, -> D x [dense relu -> dropout] -> dense softmax).
# Recipe (defaults = smashsight's): Adam lr 3e-3, batch 32, 1 warm-up epoch then cosine per step,
# the `scratch` augmentation preset (training/augment.ts: shift 0.1, zoom 0.15 drawn per axis,
# flip, brightness/contrast 0.25, saturation 0.3, hue 0.05, 1-3 occluders on 30% of frames),
# caffe preprocessing (BGR minus the ImageNet mean), Keras-default (glorot) initialisation.
# Each of these can be switched to the plain-PyTorch choice to find what makes a gap.
#
#   /usr/bin/python3 bench/real-game/peer_train.py --data /tmp/rg-split --size 128x96 --epochs 15
#
# Prints one line per epoch and a final JSON line {"top1": ..., ...}.
import argparse, json, math, os, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--size', default='160x120', help='WxH, frames are stretched to it')
p.add_argument('--epochs', type=int, default=15)
p.add_argument('--batch', type=int, default=32)
p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--schedule', choices=['cosine', 'onecycle', 'constant'], default='cosine')
p.add_argument('--warmup-epochs', type=float, default=1)
p.add_argument('--width', type=int, default=64, help='head dense units')
p.add_argument('--depth', type=int, default=1, help='head dense+dropout pairs (0: GAP -> softmax)')
p.add_argument('--dropout', type=float, default=0.2)
p.add_argument('--augment', choices=['scratch', 'notebook', 'off', 'geom-flip-bright'], default='scratch')
p.add_argument('--init', choices=['keras', 'torch'], default='keras')
p.add_argument('--norm', choices=['caffe', 'unit'], default='caffe', help='caffe: BGR - mean; unit: RGB/255 - 0.5')
p.add_argument('--bn-momentum', type=float, default=0.1, help='PyTorch convention (Keras momentum = 1 - this)')
p.add_argument('--pixels', default='', help='folder of .npy frames dumped by smashsight (same decode); default: decode with PIL')
p.add_argument('--pool', choices=['avg', 'max'], default='avg', help='global pooling before the head (max: the strongest response, wherever a small figure is)')
p.add_argument('--threads', type=int, default=2)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--json', default='', help='also write the result JSON here')
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
np.random.seed(a.seed)
W, H = (int(v) for v in a.size.split('x'))
IMG = ('.jpg', '.jpeg', '.png')


def listing(split, classes=None):
    root = os.path.join(a.data, split, 'images')
    found = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not d.startswith('.'))
    classes = classes or found
    items = []
    for c in found:
        for f in sorted(os.listdir(os.path.join(root, c))):
            if f.lower().endswith(IMG):
                items.append((os.path.join(root, c, f), classes.index(c)))
    return classes, items


def load(items):
    x = np.zeros((len(items), H, W, 3), np.uint8)
    for i, (path, _) in enumerate(items):
        x[i] = np.asarray(Image.open(path).convert('RGB').resize((W, H), Image.BILINEAR))
    return torch.from_numpy(x), torch.tensor([l for _, l in items])


classes, train_items = listing('train')
_, valid_items = listing('valid', classes)
_, test_items = listing('test', classes)
t0 = time.time()
xtr, ytr = load(train_items)
xva, yva = load(valid_items)
xte, yte = load(test_items)
print(f'classes {classes}; train {len(ytr)} valid {len(yva)} test {len(yte)}; decoded in {time.time() - t0:.0f}s', flush=True)

CAFFE_MEAN_BGR = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)


def prep(x_uint8_nhwc):
    x = x_uint8_nhwc.permute(0, 3, 1, 2).float()
    if a.norm == 'caffe':
        return x.flip(1) - CAFFE_MEAN_BGR
    return x / 255.0 - 0.5


PRESETS = {
    'scratch': dict(shift=0.1, zoom=0.15, flip=True, bright=0.25, contrast=0.25, sat=0.3, hue=0.05, occl=0.3, occl_size=0.25),
    'notebook': dict(shift=0.05, zoom=0.1, flip=True, bright=0, contrast=0, sat=0, hue=0, occl=0, occl_size=0),
    'off': dict(shift=0, zoom=0, flip=False, bright=0, contrast=0, sat=0, hue=0, occl=0, occl_size=0),
    'geom-flip-bright': dict(shift=0.1, zoom=0.1, flip=True, bright=0.2, contrast=0, sat=0, hue=0, occl=0, occl_size=0),
}
AUG = PRESETS[a.augment]
TO_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
FROM_YIQ = torch.tensor([[1, 0.956, 0.621], [1, -0.272, -0.647], [1, -1.106, 1.703]])


def augment(x):
    """x: uint8 NHWC -> float NCHW RGB 0-255, training/augment.ts's transform drawn per frame."""
    n = x.shape[0]
    img = x.permute(0, 3, 1, 2).float()
    u = lambda r: (torch.rand(n) * 2 - 1) * r
    if AUG['shift'] or AUG['zoom'] or AUG['flip']:
        # output pixel (r, c) samples input at (zx (r - cr) + cr + tx, zy (c - cc) + cc + ty), fill 0;
        # in normalised coordinates (align_corners=True): y_n = zx * r_n + 2 tx / (H - 1).
        tx, ty = u(AUG['shift']) * H, u(AUG['shift']) * W
        zx, zy = 1 + u(AUG['zoom']), 1 + u(AUG['zoom'])
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = zy
        theta[:, 0, 2] = 2 * ty / (W - 1)
        theta[:, 1, 1] = zx
        theta[:, 1, 2] = 2 * tx / (H - 1)
        grid = F.affine_grid(theta, (n, 3, H, W), align_corners=True)
        img = F.grid_sample(img, grid, mode='bilinear', padding_mode='zeros', align_corners=True)
        if AUG['flip']:
            m = torch.rand(n) < 0.5
            img[m] = img[m].flip(3)
    if AUG['bright'] or AUG['contrast'] or AUG['sat'] or AUG['hue']:
        bright, contrast, sat = 1 + u(AUG['bright']), 1 + u(AUG['contrast']), 1 + u(AUG['sat'])
        ang = u(AUG['hue']) * 2 * math.pi
        lum = (img * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1).mean((1, 2))
        cos, sin = torch.cos(ang) * sat, torch.sin(ang) * sat
        rot = torch.zeros(n, 3, 3)
        rot[:, 0, 0] = 1
        rot[:, 1, 1], rot[:, 1, 2], rot[:, 2, 1], rot[:, 2, 2] = cos, -sin, sin, cos
        m = FROM_YIQ @ rot @ TO_YIQ  # n x 3 x 3
        gain = (bright * contrast).view(n, 1, 1)
        offset = (bright * (1 - contrast) * lum).view(n, 1, 1, 1)
        img = torch.einsum('noi,nihw->nohw', gain * m, img) + offset
        img = img.clamp(0, 255).round()
    if AUG['occl']:
        for i in range(n):
            if np.random.rand() >= AUG['occl']:
                continue
            for _ in range(1 + np.random.randint(3)):
                w = max(1, round(W * AUG['occl_size'] * (0.3 + 0.7 * np.random.rand())))
                h = max(1, round(H * AUG['occl_size'] * (0.3 + 0.7 * np.random.rand())))
                x0, y0 = np.random.randint(W - w + 1), np.random.randint(H - h + 1)
                if np.random.rand() < 0.5:
                    img[i, :, y0:y0 + h, x0:x0 + w] = torch.randint(0, 256, (3, h, w)).float()
                else:
                    img[i, :, y0:y0 + h, x0:x0 + w] = (torch.rand(3, 1, 1) * 255).round()
    if a.norm == 'caffe':
        return img.flip(1) - CAFFE_MEAN_BGR
    return img / 255.0 - 0.5


def build():
    layers, cin = [], 3
    for c in (16, 32, 64, 128, 256):
        layers += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c, momentum=a.bn_momentum, eps=1e-3), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        cin = c
    layers += [nn.AdaptiveAvgPool2d(1) if a.pool == 'avg' else nn.AdaptiveMaxPool2d(1), nn.Flatten()]
    for _ in range(a.depth):
        layers += [nn.Linear(cin, a.width), nn.ReLU(inplace=True), nn.Dropout(a.dropout)]
        cin = a.width
    layers += [nn.Linear(cin, len(classes))]
    model = nn.Sequential(*layers)
    if a.init == 'keras':  # engine/backbones.ts randomWeights: glorot uniform, lecun uniform for relu dense, zero bias
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
            elif isinstance(m, nn.Linear):
                if m.out_features == len(classes) and m is layers[-1]:
                    nn.init.xavier_uniform_(m.weight)
                else:
                    bound = math.sqrt(3 / m.in_features)
                    nn.init.uniform_(m.weight, -bound, bound)
                nn.init.zeros_(m.bias)
    return model.to(memory_format=torch.channels_last)


model = build()
opt = torch.optim.Adam(model.parameters(), a.lr, eps=1e-7)
steps_per_epoch = math.ceil(len(ytr) / a.batch)
total = steps_per_epoch * a.epochs
warm = round(a.warmup_epochs * steps_per_epoch)


def rate(step):
    if a.schedule == 'onecycle':
        return None
    if step < warm:
        return a.lr * (step + 1) / warm
    if a.schedule == 'constant':
        return a.lr
    t = (step - warm) / max(1, total - warm)
    return a.lr * 0.5 * (1 + math.cos(math.pi * min(1, t)))


sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=total) if a.schedule == 'onecycle' else None


def predict(x):
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(x), 64):
            out.append(model(prep(x[s:s + 64]).contiguous(memory_format=torch.channels_last)))
    return torch.cat(out)


step = 0
for epoch in range(1, a.epochs + 1):
    model.train()
    started = time.time()
    order = torch.randperm(len(ytr))
    lsum = csum = 0.0
    for s in range(0, len(order), a.batch):
        idx = order[s:s + a.batch]
        r = rate(step)
        if r is not None:
            for g in opt.param_groups:
                g['lr'] = r
        step += 1
        xb = augment(xtr[idx]).contiguous(memory_format=torch.channels_last)
        out = model(xb)
        loss = F.cross_entropy(out, ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        lsum += loss.item() * len(idx)
        csum += (out.argmax(1) == ytr[idx]).sum().item()
    vo = predict(xva)
    vl = F.cross_entropy(vo, yva).item()
    va = (vo.argmax(1) == yva).float().mean().item()
    print(f'epoch {epoch}/{a.epochs} loss {lsum / len(ytr):.4f} acc {csum / len(ytr):.4f} val_loss {vl:.4f} val_acc {va:.4f} lr {opt.param_groups[0]["lr"]:.2e} {time.time() - started:.0f}s', flush=True)

to = predict(xte)
pred = to.argmax(1)
top1 = (pred == yte).float().mean().item()
conf = torch.zeros(len(classes), len(classes), dtype=torch.long)
for t, q in zip(yte.tolist(), pred.tolist()):
    conf[t, q] += 1
res = {'engine': f'pytorch {torch.__version__}', 'data': a.data, 'size': a.size, 'epochs': a.epochs, 'augment': a.augment, 'init': a.init,
       'norm': a.norm, 'schedule': a.schedule, 'lr': a.lr, 'batch': a.batch, 'head': f'{a.width}x{a.depth}', 'pool': a.pool, 'seed': a.seed,
       'classes': classes, 'test': len(yte), 'correct': int((pred == yte).sum()), 'top1': top1, 'confusion': conf.tolist(),
       'seconds': round(time.time() - t0)}
print(json.dumps(res), flush=True)
if a.json:
    with open(a.json, 'w') as f:
        json.dump(res, f)
