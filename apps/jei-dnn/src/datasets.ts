import { type DatasetSplit, loadFashionMnistRaw, loadMnistDigits, sampleClothes, splitDataset } from '@offramp/data';

export type DatasetName = 'mnist' | 'fashion-mnist';

export interface SplitSizes {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

export interface LoadedSplit {
  readonly split: DatasetSplit;
  /** What was read: e.g. the Fashion-MNIST rows skipped and whether the binary cache was used. */
  readonly note: string;
}

/**
 * MNIST digits (the 10,000 of the `mnist` package) or a class-balanced seeded subset of Fashion-MNIST
 * (train + validation + test images, the same number per class), split with a seed, stratified.
 */
export async function loadSplit(name: DatasetName, sizes: SplitSizes, seed: number, cacheDir: string): Promise<LoadedSplit> {
  if (name === 'mnist') {
    const all = await loadMnistDigits();
    return { split: splitDataset(all, { ...sizes, seed }), note: `MNIST digits: ${all.n} images in the mnist package` };
  }
  const raw = await loadFashionMnistRaw({ cacheDir });
  const total = sizes.train + sizes.validation + sizes.test;
  const subset = sampleClothes(raw, Math.ceil(total / 10), seed);
  return {
    split: splitDataset(subset, { ...sizes, seed }),
    note: `Fashion-MNIST: ${raw.n} valid images (${raw.skipped} empty rows skipped, ${raw.fromCache ? 'read from the binary cache' : 'parsed and cached'}), seeded subset of ${subset.n}`,
  };
}
