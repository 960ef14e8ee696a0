import { ArgumentError, CountMismatchError, createRng, EmptyBatchError, InputShapeError, softmaxRows } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  brierScore,
  expectedCalibrationError,
  maximumCalibrationError,
  negativeLogLikelihood,
  reliabilityDiagram,
} from '../src/index.js';
import { catchError, expectFieldError } from './catch-error.js';

/**
 * Five samples, two classes (all values exact in float32):
 *   a [0.75, 0.25]  label 0  right, conf 0.75
 *   b [0.5, 0.5]    label 1  wrong (first argmax on ties), conf 0.5
 *   c [0.375, 0.625] label 0 wrong, conf 0.625
 *   d [0.875, 0.125] label 0 right, conf 0.875
 *   e [0, 1]        label 1  right, conf 1
 */
const probs = new Float32Array([0.75, 0.25, 0.5, 0.5, 0.375, 0.625, 0.875, 0.125, 0, 1]);
const labels = new Int32Array([0, 1, 0, 0, 1]);

describe('expected / maximum calibration error, hand-computed', () => {
  it('equal-width bins are (lower, upper]: 0.5 falls in (0.25, 0.5]', () => {
    // 4 bins: (0.25, 0.5] holds b; (0.5, 0.75] holds a, c; (0.75, 1] holds d, e.
    const diagram = reliabilityDiagram(probs, labels, { bins: 4 });
    expect(diagram.bins).toEqual([
      { lower: 0.25, upper: 0.5, count: 1, accuracy: 0, confidence: 0.5 },
      { lower: 0.5, upper: 0.75, count: 2, accuracy: 0.5, confidence: 0.6875 },
      { lower: 0.75, upper: 1, count: 2, accuracy: 1, confidence: 0.9375 },
    ]);
    // ECE = (1 * 0.5 + 2 * 0.1875 + 2 * 0.0625) / 5 = 0.2; MCE = 0.5.
    expect(diagram.ece).toBeCloseTo(0.2, 12);
    expect(diagram.mce).toBeCloseTo(0.5, 12);
    expect(expectedCalibrationError(probs, labels, { bins: 4 })).toBeCloseTo(0.2, 12);
    expect(maximumCalibrationError(probs, labels, { bins: 4 })).toBeCloseTo(0.5, 12);
  });

  it('equal-mass bins split the sorted confidences into equal counts', () => {
    // sorted: b 0.5, c 0.625 | a 0.75, d 0.875, e 1 (5 samples in 2 bins: 2 and 3).
    const diagram = reliabilityDiagram(probs, labels, { bins: 2, binning: 'mass' });
    expect(diagram.bins).toEqual([
      { lower: 0, upper: 0.625, count: 2, accuracy: 0, confidence: 0.5625 },
      { lower: 0.625, upper: 1, count: 3, accuracy: 1, confidence: 0.875 },
    ]);
    // ECE = (2 * 0.5625 + 3 * 0.125) / 5 = 0.3; MCE = 0.5625.
    expect(expectedCalibrationError(probs, labels, { bins: 2, binning: 'mass' })).toBeCloseTo(0.3, 12);
    expect(maximumCalibrationError(probs, labels, { bins: 2, binning: 'mass' })).toBeCloseTo(0.5625, 12);
  });

  it('defaults to 15 equal-width bins', () => {
    const diagram = reliabilityDiagram(probs, labels);
    // 15 bins of width 1/15: 0.5 in (7/15, 8/15], 0.625 in (9/15, 10/15], 0.75 in (11/15, 12/15], 0.875 in (13/15, 14/15], 1 in (14/15, 1].
    expect(diagram.bins.map((b) => b.count)).toEqual([1, 1, 1, 1, 1]);
    // every bin has one sample: ECE = mean |correct - conf| = (0.5 + 0.625 + 0.25 + 0.125 + 0) / 5
    expect(diagram.ece).toBeCloseTo(1.5 / 5, 12);
  });

  it('more bins than samples (equal mass) leaves out the empty bins', () => {
    const diagram = reliabilityDiagram(probs, labels, { bins: 15, binning: 'mass' });
    expect(diagram.bins).toHaveLength(5);
    expect(diagram.ece).toBeCloseTo(1.5 / 5, 12);
  });
});

describe('Brier score and NLL, hand-computed', () => {
  it('Brier: mean of sum_c (p_c - 1[c = y])^2', () => {
    // a 0.125, b 0.5, c 0.78125, d 0.03125, e 0 -> 1.4375 / 5
    expect(brierScore(probs, labels)).toBeCloseTo(0.2875, 12);
  });
  it('NLL: mean of -log p_y', () => {
    const expected = -(Math.log(0.75) + Math.log(0.5) + Math.log(0.375) + Math.log(0.875) + Math.log(1)) / 5;
    expect(negativeLogLikelihood(probs, labels)).toBeCloseTo(expected, 12);
  });
  it('NLL of a zero probability is capped at -log(1e-12)', () => {
    expect(negativeLogLikelihood(new Float32Array([1, 0]), new Int32Array([1]))).toBeCloseTo(-Math.log(1e-12), 9);
  });
});

describe('calibration error properties', () => {
  it('ECE and MCE lie in [0, 1] on random models, with ECE <= MCE', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.int(200);
      const classes = 2 + rng.int(8);
      const logits = Float32Array.from({ length: n * classes }, () => 10 * (rng.next() - 0.5));
      const p = softmaxRows(logits, classes);
      const y = Int32Array.from({ length: n }, () => rng.int(classes));
      for (const binning of ['width', 'mass'] as const) {
        const d = reliabilityDiagram(p, y, { bins: 1 + rng.int(20), binning });
        expect(d.ece).toBeGreaterThanOrEqual(0);
        expect(d.ece).toBeLessThanOrEqual(1);
        expect(d.mce).toBeLessThanOrEqual(1);
        expect(d.ece).toBeLessThanOrEqual(d.mce + 1e-12);
        expect(d.bins.reduce((a, b) => a + b.count, 0)).toBe(n);
      }
    }
  });

  it('is 0 for a perfectly calibrated model: in each bin the accuracy equals the confidence', () => {
    // Confidence 0.75 on 8 samples (6 right) and 0.625 on 8 samples (5 right).
    const rows: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 8; k++) {
      rows.push(0.75, 0.25);
      ys.push(k < 6 ? 0 : 1);
      rows.push(0.375, 0.625);
      ys.push(k < 5 ? 1 : 0);
    }
    const p = new Float32Array(rows);
    const y = new Int32Array(ys);
    expect(expectedCalibrationError(p, y)).toBe(0);
    expect(expectedCalibrationError(p, y, { bins: 2, binning: 'mass' })).toBe(0);
    expect(maximumCalibrationError(p, y)).toBe(0);
  });

  it('is near 0 for labels drawn from the predicted probabilities, and large for an overconfident model', () => {
    const rng = createRng(5);
    const n = 20000;
    const classes = 4;
    const p = softmaxRows(Float32Array.from({ length: n * classes }, () => 4 * rng.next()), classes);
    const draw = (q: Float32Array) =>
      Int32Array.from({ length: n }, (_, i) => {
        let u = rng.next();
        for (let c = 0; c < classes; c++) {
          u -= q[i * classes + c]!;
          if (u < 0) return c;
        }
        return classes - 1;
      });
    const calibrated = draw(p);
    expect(expectedCalibrationError(p, calibrated)).toBeLessThan(0.02);
    expect(expectedCalibrationError(p, calibrated, { binning: 'mass' })).toBeLessThan(0.02);
    // Sharpen the same probabilities (temperature 0.25) without changing the labels: overconfident.
    const sharp = softmaxRows(Float32Array.from(p, (v) => Math.log(v) * 4), classes);
    expect(expectedCalibrationError(sharp, calibrated)).toBeGreaterThan(0.1);
  });
});

describe('bad inputs', () => {
  it('names the field, expected and received values', () => {
    const lengthError = catchError(() => expectedCalibrationError(new Float32Array(5), new Int32Array(2)));
    expect(lengthError).toBeInstanceOf(CountMismatchError);
    expect((lengthError as CountMismatchError).field).toBe('probs.length');
    expectFieldError(() => brierScore(new Float32Array([0.5, 0.5]), new Int32Array([2])), ArgumentError, 'labels[0]');
    expectFieldError(() => negativeLogLikelihood(new Float32Array([1.5, -0.5]), new Int32Array([0])), ArgumentError, 'probs[0]');
    expect(catchError(() => expectedCalibrationError(new Float32Array(0), new Int32Array(0)))).toBeInstanceOf(EmptyBatchError);
    expectFieldError(() => expectedCalibrationError(probs, labels, { bins: 0 }), ArgumentError, 'options.bins');
    expectFieldError(() => reliabilityDiagram(probs, labels, { binning: 'quantile' as 'mass' }), ArgumentError, 'options.binning');
    const notArray = catchError(() => reliabilityDiagram([0.5, 0.5] as unknown as Float32Array, new Int32Array([0])));
    expect(notArray).toBeInstanceOf(InputShapeError);
  });
});
