"""Trains a small ResNet on Fashion-MNIST (60,000 train images of the seeded split) and exports it to ONNX.

    /usr/bin/python3 models/fashion-resnet/train.py            # train, export model.onnx, exits.json, reference.json

The network: standardisation (inside the model), a 3x3 stem convolution, residual stages of BasicBlocks
(two 3x3 convolutions with BatchNorm and ReLU, identity or 1x1 projection shortcut) at 28x28, 14x14 and
7x7, global average pooling and a linear layer. The blocks sit in one nn.ModuleList `blocks`, so that the
output of block i (after the addition and the final ReLU) is the ONNX tensor `/blocks.<i>/out_relu/Relu_output_0`.
"""

import argparse
import os
import sys
import time

import torch
import torch.nn as nn

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import fashion_data  # noqa: E402
import training  # noqa: E402


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut, then ReLU."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        else:
            self.shortcut = nn.Identity()
        self.out_relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.out_relu(y + self.shortcut(x))


class FashionResNet(nn.Module):
    def __init__(self, widths, depths, mean, std, classes=10):
        super().__init__()
        self.standardize = training.Standardize(mean, std)
        self.stem = nn.Sequential(
            nn.Conv2d(1, widths[0], 3, 1, 1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        blocks = []
        channels = widths[0]
        for stage, (width, depth) in enumerate(zip(widths, depths)):
            for i in range(depth):
                stride = 2 if stage > 0 and i == 0 else 1
                blocks.append(BasicBlock(channels, width, stride))
                channels = width
        self.blocks = nn.ModuleList(blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        # Start each residual branch near zero (the last BatchNorm's scale), a common aid for short schedules.
        for block in self.blocks:
            nn.init.zeros_(block.bn2.weight)

    def forward(self, x):
        x = self.stem(self.standardize(x))
        for block in self.blocks:
            x = block(x)
        return self.fc(torch.flatten(self.pool(x), 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", type=int, nargs=3, default=[16, 32, 64], help="channels of the three stages")
    parser.add_argument("--depths", type=int, nargs=3, default=[3, 3, 3], help="blocks per stage")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1, help="peak learning rate of SGD (Nesterov momentum 0.9)")
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of the steps spent warming up")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--augment", choices=["none", "flip", "flip-shift"], default="flip")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, help="use only this many train and test images (smoke runs)")
    parser.add_argument("--out", default=HERE, help="folder for model.onnx, exits.json, reference.json")
    args = parser.parse_args()

    training.setup(args.seed, args.threads)
    train_x, train_y, test_x, test_y, stats = training.load_data(args.limit)
    print(f"train {len(train_y)} / test {len(test_y)} images; pixel mean {stats['mean']:.4f} std {stats['std']:.4f}")
    model = FashionResNet(args.widths, args.depths, stats["mean"], stats["std"])
    params = sum(p.numel() for p in model.parameters())
    macs = training.count_macs(model, torch.rand(1, 1, 28, 28))
    total_macs = sum(macs.values())
    print(f"{len(model.blocks)} blocks, {params} parameters, {total_macs / 1e6:.2f} MMACs per image")

    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.SGD([
        {"params": decay, "weight_decay": args.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=args.lr, momentum=0.9, nesterov=True)
    history, seconds = training.train(
        model, optimizer, training.warmup_cosine(args.warmup), (train_x, train_y, test_x, test_y),
        args.epochs, args.batch, args.augment, args.seed, label_smoothing=args.label_smoothing)
    test_acc, test_loss = training.evaluate(model, test_x, test_y)
    print(f"training took {training.fmt_time(seconds)}; test accuracy {100 * test_acc:.2f}% (loss {test_loss:.4f})")

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    training.export_onnx(model, onnx_path)
    exits = []
    spent = macs_before = training.macs_under(macs, "stem")
    for i, block in enumerate(model.blocks):
        block_macs = training.macs_under(macs, f"blocks.{i}")
        spent += block_macs
        conv = block.conv2
        side = 28 // (2 ** sum(1 for b in model.blocks[:i + 1] if b.conv1.stride[0] == 2))
        exits.append({
            "block": i,
            "tensor": f"/blocks.{i}/out_relu/Relu_output_0",
            "shape": [conv.out_channels, side, side],
            "layout": "NCHW",
            "blockMacs": block_macs,
            "stageMacs": block_macs + (macs_before if i == 0 else 0),
            "cumulativeMacs": spent,
        })
    ops, _ = training.check_onnx(onnx_path, [e["tensor"] for e in exits])
    print(f"onnx.checker: ok; ops {ops}")
    head_macs = training.macs_under(macs, "fc")
    info = {
        "model": "model.onnx",
        "architecture": f"ResNet, BasicBlocks {args.depths} at widths {args.widths} (28x28, 14x14, 7x7), stem conv 1->{args.widths[0]}",
        "input": {"name": "images", "shape": [1, 28, 28], "layout": "NCHW", "dtype": "float32",
                  "range": [0, 1], "note": "pixels / 255; standardisation is inside the model"},
        "output": {"name": "logits", "shape": [10]},
        "classes": fashion_data.CLASS_NAMES,
        "macs": {"total": total_macs, "stem": macs_before, "blocks": spent - macs_before, "head": head_macs,
                 "note": "multiply-accumulates per image of the Conv and Linear layers (BatchNorm folded, ReLU, "
                         "additions and pooling not counted); stageMacs of exit 0 includes the stem; head is the "
                         "final linear layer after the last exit"},
        "parameters": params,
        "testAccuracy": test_acc,
        "exits": exits,
    }
    taps = [(e["tensor"], model.blocks[e["block"]].out_relu) for e in exits]
    training.write_outputs(args, model, info, taps, (test_x, test_y), onnx_path,
                           {"trainImages": len(train_y), "testImages": len(test_y), "trainingSeconds": round(seconds, 1),
                            "testAccuracy": test_acc, "testLoss": test_loss, "parameters": params,
                            "macs": total_macs, "history": history})


if __name__ == "__main__":
    main()
