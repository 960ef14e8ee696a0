import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageDataset } from './dataset.js';
import { MNIST_IMAGE_SIZE, parseDigitFile } from './digit-file.js';
import { readPackageFile } from './json-data-array.js';

/** Default split sizes of the 10,000 MNIST digits: train 7,000, validation 1,000, test 2,000. */
export const MNIST_DIGITS_SPLIT = Object.freeze({ train: 7000, validation: 1000, test: 2000 });

const DIGITS = 10;

let cached: Promise<ImageDataset> | undefined;

/** The folder holding `0.json` .. `9.json` inside the installed `mnist` package. */
export function mnistDigitsFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

async function readDigit(folder: string, digit: number): Promise<Float32Array> {
  const file = join(folder, `${digit}.json`);
  const text = await readPackageFile(file, 'a readable per-digit file of the mnist package');
  return parseDigitFile(text, file);
}

/**
 * Reads a folder of per-digit files (`0.json` .. `9.json`, as in the `mnist` package) into one data set,
 * digit 0's images first, then digit 1's, and so on.
 */
export async function loadDigitFolder(folder: string): Promise<ImageDataset> {
  const perDigit: Float32Array[] = [];
  for (let digit = 0; digit < DIGITS; digit++) perDigit.push(await readDigit(folder, digit));
  const total = perDigit.reduce((sum, pixels) => sum + pixels.length, 0);
  const images = new Float32Array(total);
  const labels = new Int32Array(total / MNIST_IMAGE_SIZE);
  let offset = 0;
  perDigit.forEach((pixels, digit) => {
    images.set(pixels, offset);
    labels.fill(digit, offset / MNIST_IMAGE_SIZE, (offset + pixels.length) / MNIST_IMAGE_SIZE);
    offset += pixels.length;
  });
  return { images, labels, n: labels.length, shape: [28, 28, 1], classes: DIGITS };
}

/**
 * The 10,000 MNIST digits (about 1,000 per class) shipped in the `mnist` package, 28 x 28 x 1, pixels in [0, 1],
 * ordered by digit. Loaded once and kept in memory; treat the arrays as read-only.
 */
export function loadMnistDigits(): Promise<ImageDataset> {
  if (!cached) {
    cached = loadDigitFolder(mnistDigitsFolder());
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}
