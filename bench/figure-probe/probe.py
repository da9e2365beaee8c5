# The figure probe: bn5-like networks trained in PyTorch on bench/figure-probe/render.ts's raw frames,
# to try recipes for recognising the figure on a stage never seen before the project's trainer runs them.
# --paste none|plate|random|mix (mix: half plates of other frames, half random fields, on --share of frames),
# --nopool 0 (block 1 keeps full resolution), --crop WxH (train on crops around the figure). Research rig.
#   /usr/bin/python3 bench/figure-probe/probe.py --train /tmp/probe/train --test /tmp/probe/test --epochs 10 --paste mix --share 0.7 --nopool 0
import argparse, json, math, time, sys
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
sys.argv, argv = sys.argv[:1], sys.argv[1:]
p = argparse.ArgumentParser()
p.add_argument('--train', required=True); p.add_argument('--test', required=True)
p.add_argument('--epochs', type=int, default=30); p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--paste', default='none'); p.add_argument('--share', type=float, default=0.5)
p.add_argument('--pool', default='max'); p.add_argument('--threads', type=int, default=2)
p.add_argument('--widths', default='16,32,64,128,256'); p.add_argument('--batch', type=int, default=32)
p.add_argument('--aug', type=int, default=1); p.add_argument('--nopool', default=''); p.add_argument('--crop', default=''); p.add_argument('--seed', type=int, default=1)
a = p.parse_args(argv)
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); np.random.seed(a.seed)
def load(base):
    m = json.load(open(base + '.json')); N, W, H = m['N'], m['W'], m['H']
    img = np.fromfile(base + '.img', np.uint8).reshape(N, H, W, 3)
    pl = np.fromfile(base + '.plate', np.uint8).reshape(N, H, W, 3)
    mk = np.fromfile(base + '.mask', np.uint8).reshape(N, H, W)
    lab = np.fromfile(base + '.lab', np.uint8).reshape(N, 2)
    return torch.from_numpy(img), torch.from_numpy(pl), torch.from_numpy(mk), torch.from_numpy(lab[:, 0].astype(np.int64)), W, H
xtr, ptr, mtr, ytr, W, H = load(a.train)
xte, _, _, yte, _, _ = load(a.test)
print('train', len(ytr), 'test', len(yte), flush=True)
cen = torch.zeros(len(ytr), 2)
for i in range(len(ytr)):
    ys, xs = torch.nonzero(mtr[i] > 0, as_tuple=True)
    cen[i] = torch.tensor([ys.float().mean(), xs.float().mean()]) if len(ys) else torch.tensor([H / 2, W / 2])
FW, FH = W, H
if a.crop:
    CW, CH = (int(v) for v in a.crop.split('x'))
def crop(img, idx):
    if not a.crop: return img
    out = torch.empty(img.shape[0], 3, CH, CW)
    for k, i in enumerate(idx.tolist()):
        cy, cx = cen[i].tolist()
        y0 = int(min(max(0, cy - CH * (0.2 + 0.6 * np.random.rand())), FH - CH)); x0 = int(min(max(0, cx - CW * (0.2 + 0.6 * np.random.rand())), FW - CW))
        out[k] = img[k, :, y0:y0 + CH, x0:x0 + CW]
    return out
def randbg(n):
    # smooth random colour fields + random rectangles/bands
    lo = torch.rand(n, 3, 3 + np.random.randint(4), 3 + np.random.randint(4)) * 255
    bg = F.interpolate(lo, size=(H, W), mode='bilinear', align_corners=False)
    for i in range(n):
        for _ in range(np.random.randint(6)):
            w, h = np.random.randint(4, W), np.random.randint(2, H // 2)
            x0, y0 = np.random.randint(W - w + 1), np.random.randint(H - h + 1)
            bg[i, :, y0:y0 + h, x0:x0 + w] = torch.rand(3, 1, 1) * 255
    return bg
def compose(idx):
    img = xtr[idx].permute(0, 3, 1, 2).float()
    if a.paste == 'none': return img
    n = len(idx); m = (mtr[idx].float() / 255).unsqueeze(1)
    sel = torch.rand(n) < a.share
    if a.paste in ('plate', 'mix'):
        other = torch.randint(0, len(ytr), (n,))
        bg = ptr[other].permute(0, 3, 1, 2).float()
        if a.paste == 'mix':
            r = torch.rand(n) < 0.5
            bg[r] = randbg(int(r.sum())) if r.any() else bg[r]
    else:
        bg = randbg(n)
    comp = img * m + bg * (1 - m)
    img[sel] = comp[sel]
    return img
TO_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
FROM_YIQ = torch.tensor([[1, 0.956, 0.621], [1, -0.272, -0.647], [1, -1.106, 1.703]])
def augment(img):
    n = img.shape[0]; H, W = img.shape[2], img.shape[3]; u = lambda r: (torch.rand(n) * 2 - 1) * r
    if a.aug:
        tx, ty = u(0.1) * H, u(0.1) * W; zx, zy = 1 + u(0.15), 1 + u(0.15)
        th = torch.zeros(n, 2, 3); th[:, 0, 0] = zy; th[:, 0, 2] = 2 * ty / (W - 1); th[:, 1, 1] = zx; th[:, 1, 2] = 2 * tx / (H - 1)
        img = F.grid_sample(img, F.affine_grid(th, (n, 3, H, W), align_corners=True), mode='bilinear', padding_mode='zeros', align_corners=True)
        f = torch.rand(n) < 0.5; img[f] = img[f].flip(3)
        b, c, s = 1 + u(0.25), 1 + u(0.25), 1 + u(0.3); ang = u(0.05) * 2 * math.pi
        lum = (img * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1).mean((1, 2))
        cos, sin = torch.cos(ang) * s, torch.sin(ang) * s
        rot = torch.zeros(n, 3, 3); rot[:, 0, 0] = 1; rot[:, 1, 1], rot[:, 1, 2], rot[:, 2, 1], rot[:, 2, 2] = cos, -sin, sin, cos
        mm = FROM_YIQ @ rot @ TO_YIQ
        img = torch.einsum('noi,nihw->nohw', (b * c).view(n, 1, 1) * mm, img) + (b * (1 - c) * lum).view(n, 1, 1, 1)
        img = img.clamp(0, 255).round()
    return img / 255 - 0.5
def build():
    L, cin = [], 3
    nop = [int(v) for v in a.nopool.split(',') if v]
    for i, c in enumerate([int(v) for v in a.widths.split(',')]):
        L += [nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c, eps=1e-3), nn.ReLU(inplace=True)] + ([] if i in nop else [nn.MaxPool2d(2)]); cin = c
    L += [nn.AdaptiveMaxPool2d(1) if a.pool == 'max' else nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 8)]
    return nn.Sequential(*L).to(memory_format=torch.channels_last)
model = build(); opt = torch.optim.Adam(model.parameters(), a.lr, eps=1e-7)
spe = math.ceil(len(ytr) / a.batch); total = spe * a.epochs
def rate(s): return a.lr * (s + 1) / spe if s < spe else a.lr * 0.5 * (1 + math.cos(math.pi * (s - spe) / max(1, total - spe)))
def test():
    model.eval(); out = []
    with torch.no_grad():
        for s in range(0, len(yte), 128): out.append(model((xte[s:s+128].permute(0, 3, 1, 2).float() / 255 - 0.5).contiguous(memory_format=torch.channels_last)))
    return torch.cat(out).argmax(1)
st = 0; t0 = time.time()
for ep in range(1, a.epochs + 1):
    model.train(); order = torch.randperm(len(ytr)); cs = ls = 0
    for s in range(0, len(order), a.batch):
        idx = order[s:s + a.batch]
        for g in opt.param_groups: g['lr'] = rate(st)
        st += 1
        xb = augment(crop(compose(idx), idx)).contiguous(memory_format=torch.channels_last)
        out = model(xb); loss = F.cross_entropy(out, ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
        ls += loss.item() * len(idx); cs += (out.argmax(1) == ytr[idx]).sum().item()
    if ep % 5 == 0 or ep == a.epochs:
        pr = test(); print(f'ep {ep} loss {ls/len(ytr):.3f} acc {cs/len(ytr):.3f} test {(pr == yte).float().mean():.3f} {time.time()-t0:.0f}s', flush=True)
pr = test(); conf = torch.zeros(8, 8, dtype=torch.long)
for t, q in zip(yte.tolist(), pr.tolist()): conf[t, q] += 1
print(json.dumps({'args': vars(a), 'top1': (pr == yte).float().mean().item(), 'conf': conf.tolist()}))
