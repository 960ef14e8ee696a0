import { ArgumentError, createRng } from '@offramp/core';
import { classCounts, type ImageDataset } from './dataset.js';
import { apportion } from './apportion.js';
import { subsetDataset } from './subset.js';

export interface SplitOptions {
  /** Samples in each part; train + validation + test must be at most ds.n (the rest is left out). */
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  /** Seed of the shuffle: the same seed gives the same split. */
  readonly seed: number;
  /** Keep the class proportions in every part (each class count within 1 of proportional). Default true. */
  readonly stratified?: boolean;
}

export interface DatasetSplit {
  readonly train: ImageDataset;
  readonly validation: ImageDataset;
  readonly test: ImageDataset;
}

const PARTS = ['train', 'validation', 'test'] as const;

function checkSizes(ds: ImageDataset, options: SplitOptions): number[] {
  const sizes = PARTS.map((part) => {
    const size = options[part];
    if (!Number.isInteger(size) || size < 0) {
      throw new ArgumentError({ field: part, expected: 'a whole number >= 0', received: String(size) });
    }
    return size;
  });
  const used = sizes.reduce((a, b) => a + b, 0);
  if (used > ds.n) {
    throw new ArgumentError({
      field: 'train + validation + test',
      expected: `at most the ${ds.n} samples of the data set`,
      received: `${sizes.join(' + ')} = ${used}`,
    });
  }
  if (!Number.isInteger(options.seed)) {
    throw new ArgumentError({ field: 'seed', expected: 'a whole number', received: String(options.seed) });
  }
  return [...sizes, ds.n - used];
}

/** Sample indices of each part (train, validation, test, left out), each part in shuffled order. */
function partIndices(ds: ImageDataset, sizes: number[], seed: number, stratified: boolean): Int32Array[] {
  const rng = createRng(seed);
  if (!stratified) {
    const order = rng.shuffle(Int32Array.from({ length: ds.n }, (_, i) => i));
    let start = 0;
    return sizes.map((size) => {
      const part = order.slice(start, start + size);
      start += size;
      return part;
    });
  }
  const counts = Array.from(classCounts(ds));
  const table = apportion(counts, sizes);
  const byClass = counts.map((count) => new Int32Array(count));
  const filled = new Int32Array(ds.classes);
  for (let i = 0; i < ds.n; i++) {
    const label = ds.labels[i]!;
    byClass[label]![filled[label]!] = i;
    filled[label] += 1;
  }
  const parts = sizes.map((size) => new Int32Array(size));
  const partFilled = sizes.map(() => 0);
  byClass.forEach((members, c) => {
    rng.shuffle(members);
    let start = 0;
    table.forEach((row, s) => {
      const take = row[c]!;
      parts[s]!.set(members.subarray(start, start + take), partFilled[s]!);
      partFilled[s] += take;
      start += take;
    });
  });
  return parts.map((part) => rng.shuffle(part));
}

/**
 * Splits a data set into train, validation and test parts with a seeded shuffle, by default keeping the class
 * proportions in every part. Parts never share a sample.
 */
export function splitDataset(ds: ImageDataset, options: SplitOptions): DatasetSplit {
  const sizes = checkSizes(ds, options);
  const [train, validation, test] = partIndices(ds, sizes, options.seed, options.stratified ?? true);
  return {
    train: subsetDataset(ds, train!),
    validation: subsetDataset(ds, validation!),
    test: subsetDataset(ds, test!),
  };
}
