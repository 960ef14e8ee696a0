"""Shared pieces of the two training scripts: data as tensors, the training loop with progress lines,
MAC counting, and ONNX export with the checks and reference outputs that check-export.mjs reads."""

import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fashion_data  # noqa: E402


def setup(seed, threads):
    """Fixed seeds, a fixed number of threads, deterministic kernels where PyTorch has them."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)


class Standardize(nn.Module):
    """(x - mean) / std inside the model, so that users feed pixels in [0, 1]."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("inv_std", torch.tensor(1.0 / float(std)))

    def forward(self, x):
        return (x - self.mean) * self.inv_std


def load_data(limit=None):
    """Train and test sets of the seeded 60,000 / 10,000 split as uint8 tensors [n, 1, 28, 28] and int64 labels."""
    train_x, train_y, test_x, test_y = fashion_data.load_split()
    if limit:
        train_x, train_y, test_x, test_y = train_x[:limit], train_y[:limit], test_x[:limit], test_y[:limit]
    pixel = train_x.astype(np.float64) / 255.0
    stats = {"mean": float(pixel.mean()), "std": float(pixel.std())}
    as_tensors = [torch.from_numpy(np.ascontiguousarray(a)) for a in (train_x, train_y, test_x, test_y)]
    return (*as_tensors, stats)


def to_float(images):
    """uint8 pixels to float32 in [0, 1], as the exported model takes them."""
    return images.float() / 255.0


def augment(images, mode, generator):
    """Light augmentation on a float batch: 'flip' (horizontal, half of the images), 'flip-shift' (and a shift
    of up to 2 pixels each way, zero padded), or 'none'."""
    if mode == "none":
        return images
    n = images.shape[0]
    flip = torch.rand(n, generator=generator) < 0.5
    images = torch.where(flip[:, None, None, None], images.flip(3), images)
    if mode == "flip-shift":
        padded = F.pad(images, (2, 2, 2, 2))
        dy = torch.randint(0, 5, (n,), generator=generator)
        dx = torch.randint(0, 5, (n,), generator=generator)
        steps = torch.arange(28)
        rows = (dy[:, None] + steps)[:, :, None]
        cols = (dx[:, None] + steps)[:, None, :]
        images = padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)
    return images


@torch.no_grad()
def evaluate(model, images, labels, batch=500):
    """Accuracy and mean cross-entropy of the model in eval mode."""
    model.eval()
    correct, loss = 0, 0.0
    for start in range(0, len(labels), batch):
        logits = model(to_float(images[start:start + batch]))
        target = labels[start:start + batch]
        loss += F.cross_entropy(logits, target, reduction="sum").item()
        correct += (logits.argmax(1) == target).sum().item()
    return correct / len(labels), loss / len(labels)


def fmt_time(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def train(model, optimizer, schedule, data, epochs, batch, augment_mode, seed, label_smoothing=0.0,
          clip=None, log_every=50):
    """Mini-batch training; `schedule(step, total)` gives the learning-rate factor of each step.
    Prints progress lines (epoch, loss, accuracy, images/s, ETA) and the test accuracy after each epoch."""
    train_x, train_y, test_x, test_y = data
    n = len(train_y)
    steps_per_epoch = n // batch
    total = steps_per_epoch * epochs
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    generator = torch.Generator().manual_seed(seed)
    start = time.time()
    step = 0
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(n, generator=generator)
        run_loss, run_correct, run_seen, epoch_start = 0.0, 0, 0, time.time()
        for k in range(steps_per_epoch):
            for g, lr in zip(optimizer.param_groups, base_lrs):
                g["lr"] = lr * schedule(step, total)
            idx = order[k * batch:(k + 1) * batch]
            x = augment(to_float(train_x[idx]), augment_mode, generator)
            y = train_y[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            step += 1
            run_loss += loss.item() * len(y)
            run_correct += (logits.argmax(1) == y).sum().item()
            run_seen += len(y)
            if step % log_every == 0 or k == steps_per_epoch - 1:
                elapsed = time.time() - start
                rate = step * batch / elapsed
                eta = (total - step) * batch / rate
                print(f"epoch {epoch}/{epochs} step {k + 1}/{steps_per_epoch} loss {run_loss / run_seen:.4f} "
                      f"train acc {100 * run_correct / run_seen:.2f}% lr {optimizer.param_groups[0]['lr']:.4g} "
                      f"{rate:.0f} img/s elapsed {fmt_time(elapsed)} ETA {fmt_time(eta)}", flush=True)
        test_acc, test_loss = evaluate(model, test_x, test_y)
        history.append({"epoch": epoch, "trainLoss": run_loss / run_seen, "trainAccuracy": run_correct / run_seen,
                        "testAccuracy": test_acc, "testLoss": test_loss, "seconds": time.time() - epoch_start})
        print(f"== epoch {epoch}/{epochs}: train loss {run_loss / run_seen:.4f}, test acc {100 * test_acc:.2f}%, "
              f"test loss {test_loss:.4f}, epoch time {fmt_time(time.time() - epoch_start)}", flush=True)
    return history, time.time() - start


def warmup_cosine(warmup_fraction, floor=0.0):
    """Linear warm-up over the first fraction of the steps, then cosine decay to `floor` (factors of the base lr)."""
    def factor(step, total):
        warm = max(1, int(warmup_fraction * total))
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(1, total - warm)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))
    return factor


def count_macs(model, sample):
    """Multiply-accumulates per image of every Conv2d and Linear layer (and of any module that reports
    `extra_macs(input, output)`, e.g. attention's matrix products), by module name."""
    counts = {}
    hooks = []

    def hook_for(name):
        def hook(module, inputs, output):
            per = output.shape[0]
            if isinstance(module, nn.Conv2d):
                macs = output.numel() // per * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
            elif isinstance(module, nn.Linear):
                macs = output.numel() // per * module.in_features
            else:
                macs = module.extra_macs(inputs, output) // per
            counts[name] = counts.get(name, 0) + int(macs)
        return hook

    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) or hasattr(module, "extra_macs"):
            hooks.append(module.register_forward_hook(hook_for(name)))
    model.eval()
    with torch.no_grad():
        model(sample)
    for h in hooks:
        h.remove()
    return counts


def macs_under(counts, prefix):
    return sum(v for k, v in counts.items() if k == prefix or k.startswith(prefix + "."))


def export_onnx(model, path, input_name="images", output_name="logits"):
    """torch.onnx.export, opset 17, dynamic batch axis, constant folding, eval mode."""
    model.eval()
    dummy = torch.rand(2, 1, 28, 28)
    torch.onnx.export(
        model, dummy, path, opset_version=17, do_constant_folding=True,
        input_names=[input_name], output_names=[output_name],
        dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
    )


def check_onnx(path, exit_tensors):
    """onnx.checker (full check) and the exit tensors: each one output of exactly one node. Returns op counts."""
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    producers = {}
    for node in model.graph.node:
        for out in node.output:
            producers[out] = node
    missing = [t for t in exit_tensors if t not in producers]
    if missing:
        raise SystemExit(f"exit tensors not in the graph: {missing}")
    ops = {}
    for node in model.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    return ops, {t: producers[t].op_type for t in exit_tensors}


def reference_outputs(model, test_x, test_y, taps, count=8, samples=16, seed=0):
    """What check-export.mjs compares with: the first `count` test images (uint8), the model's logits and,
    for every exit tensor, per image the sum, the sum of absolute values and `samples` values at fixed
    flat positions. `taps` is a list of (tensor name, module) whose forward output is that tensor."""
    captured = {}
    hooks = [module.register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach()))
             for name, module in taps]
    model.eval()
    images = test_x[:count]
    with torch.no_grad():
        logits = model(to_float(images))
    for h in hooks:
        h.remove()
    rng = np.random.default_rng(seed)
    exits = []
    for name, _ in taps:
        t = captured[name].reshape(count, -1).double()
        positions = sorted(rng.choice(t.shape[1], size=samples, replace=False).tolist())
        exits.append({
            "tensor": name,
            "size": int(t.shape[1]),
            "sum": t.sum(1).tolist(),
            "absSum": t.abs().sum(1).tolist(),
            "positions": positions,
            "values": t[:, positions].tolist(),
        })
    return {
        "note": "first test images of the seeded split (models/fashion_data.py), uint8; the model takes pixels / 255",
        "shape": [count, 1, 28, 28],
        "images": images.reshape(count, -1).tolist(),
        "labels": test_y[:count].tolist(),
        "logits": logits.tolist(),
        "exits": exits,
    }


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def compact_json(path, value):
    """JSON with one line per innermost list: readable, not huge."""
    def dump(v, indent):
        pad = "  " * indent
        if isinstance(v, dict):
            items = [f'{pad}  {json.dumps(k)}: {dump(x, indent + 1).lstrip()}' for k, x in v.items()]
            return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, list) and v and isinstance(v[0], (list, dict)):
            return pad + "[\n" + ",\n".join(dump(x, indent + 1) for x in v) + "\n" + pad + "]"
        return pad + json.dumps(v)
    with open(path, "w") as f:
        f.write(dump(value, 0) + "\n")


def write_outputs(args, model, info, taps, test, onnx_path, results):
    """Writes exits.json (info), reference.json (the taps' outputs on a few test images) and training-log.json
    (the run's settings from args and its results) next to the exported model."""
    test_x, test_y = test
    write_json(os.path.join(args.out, "exits.json"), info)
    compact_json(os.path.join(args.out, "reference.json"), reference_outputs(model, test_x, test_y, taps))
    summary = {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "weightDecay": args.weight_decay,
               "augment": args.augment, "labelSmoothing": args.label_smoothing, "seed": args.seed,
               "threads": args.threads, **results, "onnxBytes": os.path.getsize(onnx_path),
               "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_json(os.path.join(args.out, "training-log.json"), summary)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes), exits.json, reference.json, training-log.json")
