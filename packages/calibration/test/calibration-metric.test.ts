import { CountMismatchError, createRng, softmaxRows } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { brierScore, CalibrationMetric, negativeLogLikelihood, reliabilityDiagram } from '../src/index.js';
import { catchError } from './catch-error.js';

const rng = createRng(21);
const n = 250;
const classes = 3;
const probs = softmaxRows(Float32Array.from({ length: n * classes }, () => 6 * rng.next()), classes);
const labels = Int32Array.from({ length: n }, () => rng.int(classes));

function feed(metric: CalibrationMetric, batch: number): void {
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    metric.update(probs.subarray(start * classes, end * classes), labels.subarray(start, end));
  }
}

describe('CalibrationMetric (streaming)', () => {
  for (const binning of ['width', 'mass'] as const) {
    it(`${binning} bins: batch by batch equals the one-shot functions`, () => {
      const metric = new CalibrationMetric({ bins: 10, binning });
      feed(metric, 37);
      const summary = metric.compute();
      const once = reliabilityDiagram(probs, labels, { bins: 10, binning });
      expect(summary.samples).toBe(n);
      expect(summary.bins.map((b) => b.count)).toEqual(once.bins.map((b) => b.count));
      summary.bins.forEach((b, m) => {
        expect(b.accuracy).toBeCloseTo(once.bins[m]!.accuracy, 12);
        expect(b.confidence).toBeCloseTo(once.bins[m]!.confidence, 12);
      });
      expect(summary.ece).toBeCloseTo(once.ece, 12);
      expect(summary.mce).toBeCloseTo(once.mce, 12);
      expect(summary.brier).toBeCloseTo(brierScore(probs, labels), 12);
      expect(summary.nll).toBeCloseTo(negativeLogLikelihood(probs, labels), 12);
    });
  }

  it('reset forgets every sample; compute with nothing seen gives NaN', () => {
    const metric = new CalibrationMetric({ binning: 'mass' });
    feed(metric, 100);
    metric.reset();
    expect(metric.compute().samples).toBe(0);
    expect(metric.compute().ece).toBeNaN();
    metric.update(new Float32Array([0.75, 0.25]), new Int32Array([1]));
    expect(metric.compute().ece).toBeCloseTo(0.75, 12);
  });

  it('refuses a batch with another number of classes', () => {
    const metric = new CalibrationMetric();
    metric.update(new Float32Array([0.75, 0.25]), new Int32Array([1]));
    const error = catchError(() => metric.update(new Float32Array([0.5, 0.25, 0.25]), new Int32Array([0])));
    expect(error).toBeInstanceOf(CountMismatchError);
  });
});
