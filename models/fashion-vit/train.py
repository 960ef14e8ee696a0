"""Trains a small vision transformer on Fashion-MNIST (60,000 train images of the seeded split) and exports it
to ONNX.

    /usr/bin/python3 models/fashion-vit/train.py            # train, export model.onnx, exits.json, reference.json

The network: standardisation (inside the model), patch embedding by a strided convolution, a class token,
learned position embeddings, pre-norm encoder blocks (LayerNorm, multi-head self-attention, residual;
LayerNorm, MLP with GELU, residual), a final LayerNorm and a linear head on the class token. The blocks sit
in one nn.ModuleList `blocks`; the output of block i (after the MLP's residual addition) is the ONNX tensor
`/blocks.<i>/Add_1_output_0`, shape [batch, tokens, dim] with the class token first.
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


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        # unbind rather than qkv[0], qkv[1], qkv[2]: the exporter folds those indices into Constant nodes that
        # every block shares, and a graph cut at block outputs then needs a node from an earlier block.
        q, k, v = qkv.unbind(0)
        attn = torch.softmax((q @ k.transpose(-2, -1)) * self.head_dim ** -0.5, dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y)

    def extra_macs(self, inputs, output):
        """The two matrix products QK^T and AV: 2 * tokens^2 * dim per image (times the batch here)."""
        b, t, d = inputs[0].shape
        return 2 * b * t * t * d


class EncoderBlock(nn.Module):
    """Pre-norm transformer encoder block: x + attn(ln1(x)), then + mlp(ln2(x))."""

    def __init__(self, dim, heads, mlp_dim):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class FashionViT(nn.Module):
    def __init__(self, patch, dim, depth, heads, mlp_dim, mean, std, classes=10):
        super().__init__()
        self.tokens = (28 // patch) ** 2 + 1
        self.standardize = training.Standardize(mean, std)
        self.patch_embed = nn.Conv2d(1, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.tokens, dim))
        self.blocks = nn.ModuleList([EncoderBlock(dim, heads, mlp_dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(self.standardize(x)).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patch", type=int, default=7, help="patch side (28 must be a multiple)")
    parser.add_argument("--dim", type=int, default=96)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--mlp-dim", type=int, default=192)
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate of AdamW")
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of the steps spent warming up")
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--augment", choices=["none", "flip", "flip-shift"], default="flip")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1,
                        help="1 by default: the many small ops of a transformer step lose most of the second "
                             "thread's gain, and collapse when other processes share the two cores")
    parser.add_argument("--limit", type=int, help="use only this many train and test images (smoke runs)")
    parser.add_argument("--out", default=HERE, help="folder for model.onnx, exits.json, reference.json")
    args = parser.parse_args()
    if 28 % args.patch or args.dim % args.heads:
        parser.error("28 must be a multiple of --patch and --dim a multiple of --heads")

    training.setup(args.seed, args.threads)
    train_x, train_y, test_x, test_y, stats = training.load_data(args.limit)
    print(f"train {len(train_y)} / test {len(test_y)} images; pixel mean {stats['mean']:.4f} std {stats['std']:.4f}")
    model = FashionViT(args.patch, args.dim, args.depth, args.heads, args.mlp_dim, stats["mean"], stats["std"])
    params = sum(p.numel() for p in model.parameters())
    macs = training.count_macs(model, torch.rand(1, 1, 28, 28))
    total_macs = sum(macs.values())
    attention_products = sum(v for k, v in macs.items() if k.endswith(".attn"))
    print(f"{len(model.blocks)} blocks, {model.tokens} tokens, {params} parameters, {total_macs / 1e6:.2f} MMACs per image "
          f"({attention_products / 1e6:.2f} M of them in attention's QK^T and AV)")

    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and n not in ("cls_token", "pos_embed")]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1 or n in ("cls_token", "pos_embed")]
    optimizer = torch.optim.AdamW([
        {"params": decay, "weight_decay": args.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=args.lr, betas=(0.9, 0.999))
    history, seconds = training.train(
        model, optimizer, training.warmup_cosine(args.warmup), (train_x, train_y, test_x, test_y),
        args.epochs, args.batch, args.augment, args.seed, label_smoothing=args.label_smoothing, clip=1.0)
    test_acc, test_loss = training.evaluate(model, test_x, test_y)
    print(f"training took {training.fmt_time(seconds)}; test accuracy {100 * test_acc:.2f}% (loss {test_loss:.4f})")

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    training.export_onnx(model, onnx_path)
    embed_macs = training.macs_under(macs, "patch_embed")
    exits = []
    spent = embed_macs
    for i in range(len(model.blocks)):
        block_macs = training.macs_under(macs, f"blocks.{i}")
        spent += block_macs
        exits.append({
            "block": i,
            "tensor": f"/blocks.{i}/Add_1_output_0",
            "shape": [model.tokens * args.dim],
            "layout": "flat",
            "tensorShape": [model.tokens, args.dim],
            "tokens": model.tokens,
            "classToken": 0,
            "dim": args.dim,
            "blockMacs": block_macs,
            "stageMacs": block_macs + (embed_macs if i == 0 else 0),
            "cumulativeMacs": spent,
        })
    ops, exit_ops = training.check_onnx(onnx_path, [e["tensor"] for e in exits])
    print(f"onnx.checker: ok; ops {ops}; exit tensors made by {sorted(set(exit_ops.values()))}")
    head_macs = training.macs_under(macs, "head")
    info = {
        "model": "model.onnx",
        "architecture": (f"ViT: {args.patch}x{args.patch} patches by a strided conv, {model.tokens} tokens (class token "
                         f"first), dim {args.dim}, {args.depth} pre-norm blocks, {args.heads} heads, MLP {args.mlp_dim} (GELU), "
                         f"final LayerNorm, linear head on the class token"),
        "input": {"name": "images", "shape": [1, 28, 28], "layout": "NCHW", "dtype": "float32",
                  "range": [0, 1], "note": "pixels / 255; standardisation is inside the model"},
        "output": {"name": "logits", "shape": [10]},
        "classes": fashion_data.CLASS_NAMES,
        "macs": {"total": total_macs, "patchEmbedding": embed_macs, "blocks": spent - embed_macs, "head": head_macs,
                 "attentionProducts": attention_products,
                 "note": "multiply-accumulates per image of the Conv and Linear layers plus attention's QK^T and AV "
                         "products (LayerNorm, softmax, GELU and additions not counted); stageMacs of exit 0 includes "
                         "the patch embedding; head is the final linear layer after the last exit (its LayerNorm "
                         "not counted)"},
        "exitNote": (f"each exit tensor is [batch, {model.tokens}, {args.dim}] in the graph (tokens x dim, class token "
                     f"at index 0); 'shape' gives it flattened per sample, 'tensorShape' as the graph holds it"),
        "parameters": params,
        "testAccuracy": test_acc,
        "exits": exits,
    }
    taps = [(e["tensor"], model.blocks[e["block"]]) for e in exits]
    training.write_outputs(args, model, info, taps, (test_x, test_y), onnx_path,
                           {"trainImages": len(train_y), "testImages": len(test_y), "trainingSeconds": round(seconds, 1),
                            "testAccuracy": test_acc, "testLoss": test_loss, "parameters": params,
                            "macs": total_macs, "history": history})


if __name__ == "__main__":
    main()
