import { createRng } from '@offramp/core';
import { loadMnistDigits, MNIST_DIGITS_SPLIT, splitDataset } from '@offramp/data';

/** Test images with their labels, and the order the load generator sends them in. */
export interface LabelledSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly n: number;
  /** Values per image. */
  readonly size: number;
  /** A seeded permutation of 0..n-1: request k carries image order[k mod n]. */
  readonly order: Int32Array;
}

/** Labelled images for calibration. */
export interface CalibrationSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly n: number;
}

/**
 * The split apps/bench trains on (7,000 / 1,000 / 2,000): the 1,000 validation digits (to certify
 * thresholds before serving) and the first `limit` of the 2,000 test digits (to send).
 */
export async function digitsSets(seed: number, limit: number): Promise<{ validation: CalibrationSet; test: LabelledSet }> {
  const split = splitDataset(await loadMnistDigits(), { ...MNIST_DIGITS_SPLIT, seed });
  const n = Math.min(limit, split.test.n);
  const size = split.test.images.length / split.test.n;
  const { images, labels } = split.validation;
  return {
    validation: { images, labels, n: split.validation.n },
    test: {
      images: split.test.images.slice(0, n * size),
      labels: split.test.labels.slice(0, n),
      n,
      size,
      order: createRng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i)),
    },
  };
}

/** One binary request body per image: float32 little-endian. */
export function binaryBodies(set: LabelledSet): Buffer[] {
  return Array.from({ length: set.n }, (_, i) => {
    const out = Buffer.alloc(set.size * 4);
    for (let k = 0; k < set.size; k++) out.writeFloatLE(set.images[i * set.size + k]!, k * 4);
    return out;
  });
}
