import { ArgumentError, InputShapeError, shapeSize } from '@offramp/core';

/** A labelled image set held in memory. */
export interface ImageDataset {
  /** n x (h * w * c) pixel values, row-major, one image after another. */
  readonly images: Float32Array;
  /** n class indices in [0, classes). */
  readonly labels: Int32Array;
  readonly n: number;
  /** Shape of one image: [height, width, channels]. */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
}

/** Builds an ImageDataset after checking that images, labels, shape and classes agree. */
export function createImageDataset(
  images: Float32Array,
  labels: Int32Array,
  shape: readonly [number, number, number],
  classes: number,
): ImageDataset {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InputShapeError({
      field: 'shape',
      expected: '[height, width, channels] of positive whole numbers',
      received: `[${shape.join(', ')}]`,
    });
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArgumentError({ field: 'classes', expected: 'a whole number >= 1', received: String(classes) });
  }
  const n = labels.length;
  const perImage = shapeSize(shape);
  if (images.length !== n * perImage) {
    throw new InputShapeError({
      field: 'images.length',
      expected: `${n * perImage} values (${n} labels x ${perImage} pixels)`,
      received: `${images.length} values`,
    });
  }
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= classes) {
      throw new ArgumentError({
        field: `labels[${i}]`,
        expected: `a class index in [0, ${classes - 1}]`,
        received: String(label),
      });
    }
  }
  return { images, labels, n, shape: [shape[0], shape[1], shape[2]], classes };
}

/** Number of pixel values in one image of the data set. */
export function imageSize(ds: ImageDataset): number {
  return shapeSize(ds.shape);
}

/** Number of samples of each class, indexed by class. */
export function classCounts(ds: ImageDataset): Int32Array {
  const counts = new Int32Array(ds.classes);
  for (let i = 0; i < ds.n; i++) counts[ds.labels[i]!] += 1;
  return counts;
}
