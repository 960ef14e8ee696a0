import { ArgumentError } from '@offramp/core';
import { type ImageDataset, loadMnistDigits, splitDataset } from '@offramp/data';
import { areaDownsample, type ImageBatch, padImages, toSignedRange } from '@offramp/diffusion';
import type { NoiseShiftOptions } from './options.js';

/** Side MNIST's 28x28 digits are padded to (2 pixels of background all round). */
export const PADDED_SIZE = 32;

/** One part of the split at one resolution: images in [-1, 1] and their labels. */
export interface LabelledImages {
  readonly images: ImageBatch;
  readonly labels: Int32Array;
}

export type Part = 'train' | 'validation' | 'test';

/** Every part of the split at every resolution used. */
export type DigitSets = ReadonlyMap<number, Record<Part, LabelledImages>>;

/** Checks that every side divides the padded 32 and is even (the UNet halves it once). */
export function checkResolutions(options: Pick<NoiseShiftOptions, 'native' | 'resolutions'>): void {
  for (const [i, side] of [options.native, ...options.resolutions].entries()) {
    if (!Number.isInteger(side) || side < 2 || side % 2 !== 0 || PADDED_SIZE % side !== 0) {
      throw new ArgumentError({
        field: i === 0 ? 'native' : `resolutions[${i - 1}]`,
        expected: `an even divisor of ${PADDED_SIZE} (the padded MNIST side)`,
        received: String(side),
      });
    }
  }
  if (options.resolutions[0] !== options.native) {
    throw new ArgumentError({ field: 'resolutions[0]', expected: `the native side ${options.native}`, received: String(options.resolutions[0]) });
  }
}

function atResolutions(part: ImageDataset, sides: readonly number[]): Map<number, LabelledImages> {
  const padded = padImages({ pixels: toSignedRange(part.images), n: part.n, size: 28 }, PADDED_SIZE, -1);
  return new Map(sides.map((side) => [side, { images: areaDownsample(padded, side), labels: part.labels }]));
}

/**
 * The MNIST digits split with a seed (stratified), padded to 32x32 with background (-1), mapped to [-1, 1]
 * and area-downsampled to every side the run uses.
 */
export async function loadDigitSets(options: Pick<NoiseShiftOptions, 'native' | 'resolutions' | 'split' | 'seed'>): Promise<DigitSets> {
  checkResolutions(options);
  const split = splitDataset(await loadMnistDigits(), { ...options.split, seed: options.seed });
  const sides = [...new Set(options.resolutions)];
  const parts = { train: atResolutions(split.train, sides), validation: atResolutions(split.validation, sides), test: atResolutions(split.test, sides) };
  return new Map(sides.map((side) => [side, { train: parts.train.get(side)!, validation: parts.validation.get(side)!, test: parts.test.get(side)! }]));
}

/** The sets of one side (an ArgumentError when the run did not load it). */
export function setsAt(sets: DigitSets, side: number): Record<Part, LabelledImages> {
  const found = sets.get(side);
  if (!found) throw new ArgumentError({ field: 'resolution', expected: `one of ${[...sets.keys()].join(', ')}`, received: String(side) });
  return found;
}
