import { ArgumentError, argmaxRows, CountMismatchError, createRng, softmaxRows } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { applyTemperature, fitTemperature, fitTemperatures, MAX_TEMPERATURE, MIN_TEMPERATURE } from '../src/temperature.js';
import { catchError, expectFieldError } from './catch-error.js';

/** n samples with labels drawn from softmax(z); returns the logits z * scale (so the right T is `scale`). */
function synthetic(n: number, classes: number, scale: number, seed: number) {
  const rng = createRng(seed);
  const z = Float32Array.from({ length: n * classes }, () => 3 * (rng.next() - 0.5));
  const p = softmaxRows(z, classes);
  const labels = Int32Array.from({ length: n }, (_, i) => {
    let u = rng.next();
    for (let c = 0; c < classes; c++) {
      u -= p[i * classes + c]!;
      if (u < 0) return c;
    }
    return classes - 1;
  });
  return { logits: Float32Array.from(z, (v) => v * scale), labels };
}

describe('fitTemperature', () => {
  it('hand case: logits [1, 0] with 3 of 4 labels 0 -> sigmoid(1 / T) = 0.75, T = 1 / ln 3', () => {
    const logits = new Float32Array([1, 0, 1, 0, 1, 0, 1, 0]);
    const labels = new Int32Array([0, 0, 0, 1]);
    expect(fitTemperature(logits, labels)).toBeCloseTo(1 / Math.log(3), 8);
    expect(fitTemperature(logits, labels, 2)).toBeCloseTo(1 / Math.log(3), 8);
  });

  it('recovers a known temperature on synthetic logits', () => {
    for (const [T, seed] of [
      [2.5, 1],
      [0.5, 2],
      [1, 3],
    ] as const) {
      const { logits, labels } = synthetic(8000, 5, T, seed);
      expect(Math.abs(fitTemperature(logits, labels) / T - 1)).toBeLessThan(0.08);
    }
  });

  it('returns an end of [1e-3, 1e3] when the optimum lies past it', () => {
    // Every sample right: sharper is always better.
    expect(fitTemperature(new Float32Array([1, 0, 0, 1]), new Int32Array([0, 1]))).toBe(MIN_TEMPERATURE);
    // Half right with the same logits: the best is uniform, T -> infinity.
    expect(fitTemperature(new Float32Array([1, 0, 1, 0]), new Int32Array([0, 1]))).toBe(MAX_TEMPERATURE);
  });

  it('per exit: one temperature each', () => {
    const a = synthetic(3000, 4, 2, 7);
    const b = synthetic(3000, 4, 1, 7);
    const temperatures = fitTemperatures([a.logits, b.logits], a.labels);
    expect(temperatures).toHaveLength(2);
    expect(temperatures[0]! / temperatures[1]!).toBeCloseTo(2, 4);
  });

  it('names bad inputs', () => {
    const mismatch = catchError(() => fitTemperature(new Float32Array(6), new Int32Array(3), 3));
    expect(mismatch).toBeInstanceOf(CountMismatchError);
    expect((mismatch as CountMismatchError).field).toBe('classes');
    expectFieldError(() => fitTemperature(new Float32Array([0, Number.NaN]), new Int32Array([0])), ArgumentError, 'logits[1]');
    expectFieldError(
      () => fitTemperatures([new Float32Array(2), new Float32Array(3)], new Int32Array(2)),
      CountMismatchError,
      'logitsPerExit[1].length',
    );
  });
});

describe('applyTemperature', () => {
  it('hand case: softmax([0, ln 3] / T)', () => {
    const logits = new Float32Array([0, Math.log(3)]);
    const t1 = applyTemperature(logits, 2, 1);
    expect(t1[0]).toBeCloseTo(0.25, 6);
    expect(t1[1]).toBeCloseTo(0.75, 6);
    const t2 = applyTemperature(logits, 2, 2);
    expect(t2[1]).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 6);
  });

  it('never changes the argmax', () => {
    const { logits } = synthetic(500, 6, 1, 9);
    const before = argmaxRows(logits, 6);
    for (const T of [0.01, 0.3, 1, 4, 100]) expect(argmaxRows(applyTemperature(logits, 6, T), 6)).toEqual(before);
  });

  it('rejects a temperature <= 0 and classes that do not divide the length', () => {
    expectFieldError(() => applyTemperature(new Float32Array(2), 2, 0), ArgumentError, 'temperature');
    expectFieldError(() => applyTemperature(new Float32Array(3), 2, 1), ArgumentError, 'classes');
  });
});
