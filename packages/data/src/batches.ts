import { ArgumentError, createRng, takeRows } from '@offramp/core';
import { type ImageDataset, imageSize } from './dataset.js';

export interface BatchOptions {
  /** Samples per batch (the last batch may be smaller unless dropLast). */
  readonly batchSize: number;
  /** Visit the samples in a seeded random order. Default false (data set order). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle; required when shuffle is true. */
  readonly seed?: number;
  /** Mixed into the seed so that every epoch has its own order. Default 0. */
  readonly epoch?: number;
  /** Leave out a last batch smaller than batchSize. Default false. */
  readonly dropLast?: boolean;
}

export interface Batch {
  /** size x (h * w * c) pixels, row-major. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  /** Index in the data set of each sample of the batch. */
  readonly indices: Int32Array;
}

function checkWhole(field: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: String(value) });
  }
}

/** A 32-bit mix of a seed and an epoch, so that consecutive epochs get unrelated orders. */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Number of batches one epoch over `n` samples yields. */
export function countBatches(n: number, options: Pick<BatchOptions, 'batchSize' | 'dropLast'>): number {
  checkWhole('batchSize', options.batchSize, 1);
  return options.dropLast ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize);
}

/**
 * One epoch of mini-batches over `ds`. With `shuffle`, the order comes from `seed` and `epoch`: the same pair
 * gives the same batches. Arguments are checked when called, before iterating.
 */
export function batches(ds: ImageDataset, options: BatchOptions): Iterable<Batch> {
  const { batchSize, shuffle = false, seed, epoch = 0, dropLast = false } = options;
  checkWhole('batchSize', batchSize, 1);
  checkWhole('epoch', epoch, 0);
  if (shuffle && (seed === undefined || !Number.isInteger(seed))) {
    throw new ArgumentError({
      field: 'seed',
      expected: 'a whole number when shuffle is true',
      received: String(seed),
    });
  }
  const order = Int32Array.from({ length: ds.n }, (_, i) => i);
  if (shuffle) createRng(epochSeed(seed!, epoch)).shuffle(order);
  const count = countBatches(ds.n, { batchSize, dropLast });
  const size = imageSize(ds);
  return {
    *[Symbol.iterator]() {
      for (let b = 0; b < count; b++) {
        const indices = order.slice(b * batchSize, Math.min((b + 1) * batchSize, ds.n));
        const labels = new Int32Array(indices.length);
        for (let i = 0; i < indices.length; i++) labels[i] = ds.labels[indices[i]!]!;
        yield { images: takeRows(ds.images, size, indices), labels, size: indices.length, indices };
      }
    },
  };
}
