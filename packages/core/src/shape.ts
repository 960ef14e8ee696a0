import { ArgumentError, InputShapeError } from './errors.js';

function describeShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.join(', ')}]` : String(shape);
}

/** A per-sample shape: a non-empty array of whole numbers >= 1. */
export function checkSampleShape(shape: readonly number[], field: string): void {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ArgumentError({ field, expected: 'a non-empty array of dimensions', received: describeShape(shape) });
  }
  shape.forEach((d, i) => {
    checkWholeNumber(d, 1, `${field}[${i}]`);
  });
}

/** A whole number no smaller than `min`. */
export function checkWholeNumber(value: number, min: number, field: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: String(value) });
  }
}

/** The shape of a batch fed to a module: rank = 1 + the sample rank, every sample dimension as declared. */
export function checkBatchShape(batchShape: readonly number[], inputShape: readonly number[], field: string): void {
  if (batchShape.length !== inputShape.length + 1) {
    throw new InputShapeError({
      field: `${field}.rank`,
      expected: `${inputShape.length + 1} (a batch of samples of shape ${describeShape(inputShape)})`,
      received: `${batchShape.length} (shape ${describeShape(batchShape)})`,
    });
  }
  inputShape.forEach((d, i) => {
    if (batchShape[i + 1] !== d) {
      throw new InputShapeError({
        field: `${field}.shape[${i + 1}]`,
        expected: `${d} (samples of shape ${describeShape(inputShape)})`,
        received: `${batchShape[i + 1]} (shape ${describeShape(batchShape)})`,
      });
    }
  });
}
