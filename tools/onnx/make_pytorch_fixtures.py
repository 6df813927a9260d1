#!/usr/bin/env python3
"""Builds two small CNNs in PyTorch, exports them to ONNX and records PyTorch's own outputs on a
fixed input, as fixtures for fer4j's ONNX import test (onnx/src/test/.../PyTorchImportTest).

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/onnx/make_pytorch_fixtures.py
It writes, for each model NAME, into onnx/src/test/resources/org/fer4j/onnx/pytorch/:
  NAME.onnx   the exported model (opset 13, input "input" [N, C, H, W] with a dynamic batch)
  NAME.json   {"input_shape": [...], "input": [...], "output_shape": [...], "output": [...]}
"""
import json
import os
import sys

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "onnx", "src", "test", "resources", "org", "fer4j", "onnx", "pytorch")


class ResidualNet(nn.Module):
    """Conv + BN + ReLU, max-pool, a residual block, a depthwise conv, global pooling, Linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.block = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                                   nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.depthwise = nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8), nn.LeakyReLU(0.1))
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        x = self.stem(x)
        x = torch.relu(x + self.block(x))
        x = self.depthwise(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return self.head(x)


class FlattenNet(nn.Module):
    """Two convolutions, max-pooling, a flatten of a [C, H, W] map into Linear, BatchNorm1d, Dropout."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 5, stride=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                                      nn.Conv2d(6, 4, 3, padding=1), nn.ReLU())
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 16), nn.BatchNorm1d(16), nn.ReLU(),
                                        nn.Dropout(0.3), nn.Linear(16, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.classifier(self.features(x))


def randomize_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)
            m.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            m.bias.data.copy_(torch.rand(n, generator=generator) * 0.4 - 0.2)


def export(name, model, input_shape, seed):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    with torch.no_grad():
        randomize_batch_norm(model, generator)
    model.eval()
    x = torch.rand(*input_shape, generator=generator) * 2 - 1
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"producer": "torch " + torch.__version__,
                   "input_shape": list(x.shape), "input": [float(v) for v in x.flatten()],
                   "output_shape": list(y.shape), "output": [float(v) for v in y.flatten()]}, f)
        f.write("\n")
    print(name, "->", path, "output", list(y.shape), file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    export("residual_net", ResidualNet(), (3, 1, 16, 16), 1)
    export("flatten_net", FlattenNet(), (4, 3, 16, 16), 2)


if __name__ == "__main__":
    main()
