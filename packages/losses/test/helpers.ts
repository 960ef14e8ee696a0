import * as tf from '@tensorflow/tfjs';

/** Central finite differences of a scalar function of one 2-D input, on host values. */
export function finiteDifferences(
  f: (x: tf.Tensor2D) => tf.Scalar,
  values: number[][],
  step = 1e-2,
): number[][] {
  const evaluate = (v: number[][]): number => tf.tidy(() => f(tf.tensor2d(v)).dataSync()[0]!);
  return values.map((row, i) =>
    row.map((_, j) => {
      const plus = values.map((r) => [...r]);
      const minus = values.map((r) => [...r]);
      plus[i]![j]! += step;
      minus[i]![j]! -= step;
      return (evaluate(plus) - evaluate(minus)) / (2 * step);
    }),
  );
}

/** Expects two tables to agree within `tolerance` relative to max(1, |expected|). */
export function expectClose(received: number[][], expected: number[][], tolerance: number): void {
  expected.forEach((row, i) => {
    row.forEach((value, j) => {
      const error = Math.abs(received[i]![j]! - value) / Math.max(1, Math.abs(value));
      if (!(error <= tolerance)) {
        throw new Error(`entry [${i}][${j}]: ${received[i]![j]} vs ${value} (relative error ${error})`);
      }
    });
  });
}
