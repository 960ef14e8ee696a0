import { ArgumentError, InputShapeError } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';

function describeShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape);
}

/** A per-sample shape: a non-empty array of whole numbers >= 1. */
export function checkSampleShape(shape: readonly number[], field: string): void {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ArgumentError({
      field,
      expected: 'a non-empty array of dimensions',
      received: describeShape(shape),
    });
  }
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1) {
      throw new ArgumentError({
        field: `${field}[${i}]`,
        expected: 'a whole number >= 1',
        received: String(d),
      });
    }
  });
}

/** A whole number no smaller than `min`. */
export function checkWholeNumber(value: number, min: number, field: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: String(value) });
  }
}

/** A batch fed to a module: rank = 1 + the sample rank, and every sample dimension as declared. */
export function checkBatch(x: tf.Tensor, inputShape: readonly number[], field: string): void {
  if (x.rank !== inputShape.length + 1) {
    throw new InputShapeError({
      field: `${field}.rank`,
      expected: `${inputShape.length + 1} (a batch of samples of shape ${describeShape(inputShape)})`,
      received: `${x.rank} (shape ${describeShape(x.shape)})`,
    });
  }
  inputShape.forEach((d, i) => {
    if (x.shape[i + 1] !== d) {
      throw new InputShapeError({
        field: `${field}.shape[${i + 1}]`,
        expected: `${d} (samples of shape ${describeShape(inputShape)})`,
        received: `${x.shape[i + 1]} (shape ${describeShape(x.shape)})`,
      });
    }
  });
}
