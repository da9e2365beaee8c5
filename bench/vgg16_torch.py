# VGG16 without top in PyTorch, the same 13 convs (3x3 pad 1, relu) and 5 max pools as
# engine/backbones.ts: shared by the peers beside this file (features_peer.py, gpu_peer.py).
import torch.nn as nn

CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']


def vgg16_features():
    layers, cin = [], 3
    for c in CFG:
        if c == 'M':
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU(inplace=False)]
            cin = c
    return nn.Sequential(*layers)
