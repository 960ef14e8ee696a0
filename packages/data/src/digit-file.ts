import { InputShapeError, NonFiniteInputError } from '@offramp/core';
import { readDataArray } from './json-data-array.js';

/** Pixels per MNIST image (28 x 28). */
export const MNIST_IMAGE_SIZE = 784;

/**
 * Parses one per-digit file of the `mnist` package (`{ "data": [flat pixels] }`) and checks it:
 * a whole number of 784-pixel images, every value finite and in [0, 1]. `file` names the file in errors.
 */
export function parseDigitFile(text: string, file: string): Float32Array {
  const data = readDataArray(text, file, 'an array of pixel values');
  if (data.length === 0 || data.length % MNIST_IMAGE_SIZE !== 0) {
    throw new InputShapeError({
      field: `${file}: data.length`,
      expected: `a positive multiple of ${MNIST_IMAGE_SIZE} (whole 28 x 28 images)`,
      received: String(data.length),
    });
  }
  const pixels = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value: unknown = data[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      if (typeof value === 'number') throw new NonFiniteInputError(`${file}: data`, i, value);
      throw new InputShapeError({ field: `${file}: data[${i}]`, expected: 'a number', received: typeof value });
    }
    if (value < 0 || value > 1) {
      throw new InputShapeError({
        field: `${file}: data[${i}]`,
        expected: 'a pixel value in [0, 1]',
        received: String(value),
      });
    }
    pixels[i] = value;
  }
  return pixels;
}
