import { InputShapeError } from '@offramp/core';
import { readDataArray } from './json-data-array.js';

/** Pixels per Fashion-MNIST image (28 x 28). */
export const FASHION_IMAGE_SIZE = 784;

export interface ParsedClothes {
  /** count x 784 pixel values 0..255, the valid rows in file order. */
  readonly pixels: Uint8Array;
  readonly count: number;
  /** Indices (in the file's data array) of the rows skipped because they are not 784 values long. */
  readonly skipped: number[];
}

/**
 * Parses one per-class file of the `fashion-mnist` package (`{ "data": [[784 pixels], ...] }`). Every row is
 * checked: a row that is not an array of 784 values is skipped and its index reported (the package's class 0
 * holds two empty rows); a value that is not a whole number in 0..255 throws, naming the file, row and column.
 */
export function parseClothesFile(text: string, file: string): ParsedClothes {
  const data = readDataArray(text, file, 'an array of images (arrays of 784 pixel values)');
  const skipped: number[] = [];
  const valid: unknown[][] = [];
  data.forEach((row: unknown, r) => {
    if (Array.isArray(row) && row.length === FASHION_IMAGE_SIZE) valid.push(row);
    else skipped.push(r);
  });
  const pixels = new Uint8Array(valid.length * FASHION_IMAGE_SIZE);
  valid.forEach((row, v) => {
    for (let k = 0; k < FASHION_IMAGE_SIZE; k++) {
      const value = row[k];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
        throw new InputShapeError({
          field: `${file}: data[${rowIndex(data, row)}][${k}]`,
          expected: 'a whole pixel value in 0..255',
          received: typeof value === 'number' ? String(value) : typeof value,
        });
      }
      pixels[v * FASHION_IMAGE_SIZE + k] = value;
    }
  });
  return { pixels, count: valid.length, skipped };
}

function rowIndex(data: unknown[], row: unknown): number {
  return data.indexOf(row);
}
