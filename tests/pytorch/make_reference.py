#!/usr/bin/env python3
"""Writes PyTorch reference files for the lab's import test (tests/.../Models/PyTorchAgreementTests.cs).

For each architecture: build it with a fixed seed and random weights (BatchNorm statistics randomised too, so
eval-mode BatchNorm is not the identity), save the state dict in one of the formats the lab reads, and compute on
fixed inputs the logits, the input gradient in float32 and in float64, and a one-step FGSM image (eps 8/255, summed cross-entropy, inputs in [0,1] and normalised
inside the model as the lab does). Everything goes to OUT_DIR; nothing is downloaded and nothing here is committed.

usage: python3 make_reference.py OUT_DIR
"""
import copy
import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class PreActBlock(nn.Module):
    # Wong, Rice and Kolter 2020 (arXiv:2001.03994) / RobustBench PreActResNet-18 block
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if hasattr(self, "shortcut") else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActResNet18(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.layer1 = self._layer(64, 1)
        self.layer2 = self._layer(128, 2)
        self.layer3 = self._layer(256, 2)
        self.layer4 = self._layer(512, 2)
        self.bn = nn.BatchNorm2d(512)
        self.linear = nn.Linear(512, num_classes)

    def _layer(self, planes, stride):
        blocks = [PreActBlock(self.in_planes, planes, stride), PreActBlock(planes, planes, 1)]
        self.in_planes = planes
        return nn.Sequential(*blocks)

    def forward(self, x):
        out = self.layer4(self.layer3(self.layer2(self.layer1(self.conv1(x)))))
        out = F.relu(self.bn(out))
        out = F.avg_pool2d(out, 4).view(out.size(0), -1)
        return self.linear(out)


class WideBlock(nn.Module):
    # RobustBench's WideResNet BasicBlock
    def __init__(self, in_planes, out_planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, 1, 1, bias=False)
        self.equalInOut = in_planes == out_planes
        self.convShortcut = None if self.equalInOut else nn.Conv2d(in_planes, out_planes, 1, stride, 0, bias=False)

    def forward(self, x):
        if not self.equalInOut:
            x = self.relu1(self.bn1(x))
        else:
            out = self.relu1(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(out if self.equalInOut else x)))
        out = self.conv2(out)
        return torch.add(x if self.equalInOut else self.convShortcut(x), out)


class NetworkBlock(nn.Module):
    def __init__(self, n, in_planes, out_planes, stride):
        super().__init__()
        self.layer = nn.Sequential(*[WideBlock(in_planes if i == 0 else out_planes, out_planes, stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth=28, num_classes=10, widen_factor=10):
        super().__init__()
        c = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, c[0], 3, 1, 1, bias=False)
        self.block1 = NetworkBlock(n, c[0], c[1], 1)
        self.block2 = NetworkBlock(n, c[1], c[2], 2)
        self.block3 = NetworkBlock(n, c[2], c[3], 2)
        self.bn1 = nn.BatchNorm2d(c[3])
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(c[3], num_classes)
        self.nChannels = c[3]

    def forward(self, x):
        out = self.block3(self.block2(self.block1(self.conv1(x))))
        out = self.relu(self.bn1(out))
        out = F.avg_pool2d(out, 8).view(-1, self.nChannels)
        return self.fc(out)


def save_safetensors(path, tensors):
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def randomise_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))
                m.num_batches_tracked.fill_(7)


# name, constructor, input size, classes, mean, std, how the weights are saved
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
CASES = [
    ("resnet18", lambda: torchvision.models.resnet18(num_classes=1000), 224, 1000, IMAGENET_MEAN, IMAGENET_STD, "pth"),
    ("resnet50", lambda: torchvision.models.resnet50(num_classes=1000), 224, 1000, IMAGENET_MEAN, IMAGENET_STD, "pth-wrapped"),
    ("preact-resnet18", lambda: PreActResNet18(10), 32, 10, [0.4914, 0.4822, 0.4465], [0.2471, 0.2435, 0.2616], "safetensors"),
    ("wide-resnet", lambda: WideResNet(28, 10, 10), 32, 10, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], "pt-model"),
]


def main(out):
    torch.set_num_threads(2)
    cases = {}
    for name, build, size, classes, mean, std, fmt in CASES:
        torch.manual_seed(0)
        gen = torch.Generator().manual_seed(1)
        model = build()
        randomise_batchnorm(model, gen)
        model.eval()
        sd = model.state_dict()
        if fmt == "pth":
            weights = f"{out}/{name}.pth"
            torch.save(sd, weights)
        elif fmt == "pth-wrapped":  # a training script's checkpoint from DataParallel
            weights = f"{out}/{name}.pth"
            torch.save({"epoch": 90, "state_dict": {"module." + k: v for k, v in sd.items()}}, weights)
        elif fmt == "pt-model":
            weights = f"{out}/{name}.pt"
            torch.save({"model": sd, "best_acc": 0.5}, weights)
        else:
            weights = f"{out}/{name}.safetensors"
            save_safetensors(weights, sd)
        x = torch.rand(4, 3, size, size, generator=gen)
        y = torch.randint(0, classes, (4,), generator=gen)
        m = torch.tensor(mean).view(1, 3, 1, 1)
        s = torch.tensor(std).view(1, 3, 1, 1)
        xg = x.clone().requires_grad_(True)
        logits = model((xg - m) / s)
        loss = F.cross_entropy(logits, y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, [xg])
        # The same gradient in float64: the truth both float32 implementations are measured against.
        model64 = copy.deepcopy(model).double()
        xg64 = x.double().requires_grad_(True)
        loss64 = F.cross_entropy(model64((xg64 - m.double()) / s.double()), y, reduction="sum")
        (grad64,) = torch.autograd.grad(loss64, [xg64])
        eps = 8 / 255
        fgsm = (x + eps * grad.sign()).clamp(0, 1)
        save_safetensors(f"{out}/{name}.reference.safetensors",
                         {"x": x, "y": y, "logits": logits.detach(), "grad": grad, "grad64": grad64, "fgsm": fgsm})
        cases[name] = {"weights": weights, "input": size, "classes": classes, "mean": mean, "std": std, "eps": eps,
                       "args": {"depth": 28, "widen_factor": 10} if name == "wide-resnet" else {}}
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, max |logit| {logits.abs().max().item():.4g}", flush=True)
    with open(f"{out}/cases.json", "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
