import { createImageDataset, type ImageDataset } from '../src/index.js';

/** A tiny 2 x 2 x 1 data set whose first pixel is the sample index, with the given class counts. */
export function tinyDataset(counts: readonly number[]): ImageDataset {
  const labels = Int32Array.from(counts.flatMap((count, c) => Array.from({ length: count }, () => c)));
  const images = new Float32Array(labels.length * 4);
  for (let i = 0; i < labels.length; i++) images[i * 4] = i;
  return createImageDataset(images, labels, [2, 2, 1], counts.length);
}

/** The sample index stored in each image of a tiny data set. */
export function sampleIds(ds: ImageDataset): number[] {
  return Array.from({ length: ds.n }, (_, i) => ds.images[i * 4]!);
}
