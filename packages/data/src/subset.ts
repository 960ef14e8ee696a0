import { ArgumentError, takeRows } from '@offramp/core';
import { type ImageDataset, imageSize } from './dataset.js';

/** The samples `indices` of `ds`, in that order (an index may repeat). */
export function subsetDataset(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= ds.n) {
      throw new ArgumentError({
        field: `indices[${i}]`,
        expected: `a sample index in [0, ${ds.n - 1}]`,
        received: String(index),
      });
    }
    labels[i] = ds.labels[index]!;
  }
  return {
    images: takeRows(ds.images, imageSize(ds), indices),
    labels,
    n: indices.length,
    shape: ds.shape,
    classes: ds.classes,
  };
}
