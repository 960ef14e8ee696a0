import { ArgumentError, CountMismatchError, createRng, EmptyBatchError, softmaxRows } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  apsScores,
  conformalQuantile,
  conformalScores,
  evaluateConformal,
  lacScores,
  perExitConformal,
  predictionSets,
  rapsScores,
} from '../src/index.js';
import { catchError, expectFieldError } from './catch-error.js';

// One row [0.5, 0.25, 0.25] would tie; use [0.5, 0.3, 0.2] (ranks: class 0, 1, 2).
const row = new Float32Array([0.5, 0.3, 0.2]);
const f = Math.fround;

describe('conformalQuantile', () => {
  const scores = [0.4, 0.1, 0.3, 0.2];
  it('is the ceil((n + 1)(1 - alpha))-th smallest score', () => {
    expect(conformalQuantile(scores, 0.5)).toBe(0.3); // ceil(2.5) = 3
    expect(conformalQuantile(scores, 0.2)).toBe(0.4); // ceil(4) = 4
    expect(conformalQuantile(scores, 0.75)).toBe(0.2); // ceil(1.25) = 2
  });
  it('is +Infinity when that rank exceeds n', () => {
    expect(conformalQuantile(scores, 0.1)).toBe(Number.POSITIVE_INFINITY); // ceil(4.5) = 5 > 4
  });
  it('does not round (19 + 1)(1 - 0.05) up past 19', () => {
    const many = Array.from({ length: 19 }, (_, k) => k);
    expect(conformalQuantile(many, 0.05)).toBe(18);
  });
  it('rejects alpha outside (0, 1) and empty scores', () => {
    expectFieldError(() => conformalQuantile(scores, 1), ArgumentError, 'alpha');
    expect(catchError(() => conformalQuantile([], 0.1))).toBeInstanceOf(EmptyBatchError);
  });
});

describe('scores, hand-computed on [0.5, 0.3, 0.2]', () => {
  it('LAC = 1 - p_y', () => {
    expect([...lacScores(row, new Int32Array([1]))]).toEqual([1 - f(0.3)]);
  });
  it('APS = probability of the labels ranked at or above y', () => {
    expect(apsScores(row, new Int32Array([0]))[0]).toBeCloseTo(0.5, 6);
    expect(apsScores(row, new Int32Array([1]))[0]).toBeCloseTo(0.8, 6);
    expect(apsScores(row, new Int32Array([2]))[0]).toBeCloseTo(1, 6);
  });
  it('randomised APS = APS - U p_y with U from the seed, the same for the same seed', () => {
    const a = apsScores(row, new Int32Array([1]), { randomized: true, seed: 4 })[0]!;
    const b = apsScores(row, new Int32Array([1]), { randomized: true, seed: 4 })[0]!;
    expect(a).toBe(b);
    expect(a).toBeLessThanOrEqual(0.8 + 1e-7);
    expect(a).toBeGreaterThanOrEqual(0.5 - 1e-7);
  });
  it('RAPS = APS + lambda max(0, rank - kReg)', () => {
    const options = { lambda: 0.1, kReg: 1 };
    expect(rapsScores(row, new Int32Array([0]), options)[0]).toBeCloseTo(0.5, 6);
    expect(rapsScores(row, new Int32Array([1]), options)[0]).toBeCloseTo(0.9, 6);
    expect(rapsScores(row, new Int32Array([2]), options)[0]).toBeCloseTo(1.2, 6);
    expect(rapsScores(row, new Int32Array([2]), { lambda: 0.1, kReg: 2 })[0]).toBeCloseTo(1.1, 6);
  });
  it('rejects bad options', () => {
    expectFieldError(() => conformalScores(row, new Int32Array([0]), { score: 'lac', randomized: true }), ArgumentError, 'randomized');
    expectFieldError(() => rapsScores(row, new Int32Array([0]), { lambda: -1 }), ArgumentError, 'lambda');
    expectFieldError(() => conformalScores(row, new Int32Array([0]), { score: 'top' as 'lac' }), ArgumentError, 'score');
  });
});

describe('predictionSets', () => {
  it('holds the classes whose score is at most qhat', () => {
    expect([...predictionSets(row, 3, 0.75, { score: 'lac' })[0]!]).toEqual([0, 1]); // p >= 0.25
    expect([...predictionSets(row, 3, 0.75, { score: 'aps' })[0]!]).toEqual([0]); // 0.5 | 0.8 | 1
    expect([...predictionSets(row, 3, 0.95, { score: 'raps', lambda: 0.1 })[0]!]).toEqual([0, 1]); // 0.5 | 0.9 | 1.2
    expect([...predictionSets(row, 3, Number.POSITIVE_INFINITY, { score: 'aps' })[0]!]).toEqual([0, 1, 2]);
  });
  it('rejects classes that do not divide the length', () => {
    expectFieldError(() => predictionSets(row, 2, 0.5, { score: 'lac' }), ArgumentError, 'classes');
  });
});

/** Exchangeable synthetic data: random logits, labels drawn from a sharper softmax of them. */
function exchangeable(n: number, classes: number, seed: number) {
  const rng = createRng(seed);
  const logits = Float32Array.from({ length: n * classes }, () => 4 * rng.next());
  const probs = softmaxRows(logits, classes);
  const truth = softmaxRows(Float32Array.from(logits, (z) => 1.5 * z), classes);
  const labels = Int32Array.from({ length: n }, (_, i) => {
    let u = rng.next();
    for (let c = 0; c < classes; c++) {
      u -= truth[i * classes + c]!;
      if (u < 0) return c;
    }
    return classes - 1;
  });
  return { probs, labels };
}

describe('split-conformal coverage over many seeded splits of exchangeable data', () => {
  const classes = 6;
  const data = exchangeable(1000, classes, 99);
  const cases = [
    { score: 'lac' },
    { score: 'aps' },
    { score: 'aps', randomized: true },
    { score: 'raps', lambda: 0.05, kReg: 1 },
    { score: 'raps', lambda: 0.05, kReg: 1, randomized: true },
  ] as const;
  for (const options of cases) {
    it(`${options.score}${'randomized' in options ? ' (randomised)' : ''}: mean coverage >= 1 - alpha`, () => {
      for (const alpha of [0.05, 0.1, 0.2]) {
        let coverage = 0;
        let size = 0;
        const splits = 100;
        for (let s = 0; s < splits; s++) {
          const order = createRng(1000 + s).shuffle(Int32Array.from({ length: 1000 }, (_, i) => i));
          const pick = (rows: Int32Array) => ({
            probs: Float32Array.from({ length: rows.length * classes }, (_, k) => data.probs[rows[Math.floor(k / classes)]! * classes + (k % classes)]!),
            labels: Int32Array.from(rows, (i) => data.labels[i]!),
          });
          const cal = pick(order.subarray(0, 500));
          const test = pick(order.subarray(500));
          const qhat = conformalQuantile(conformalScores(cal.probs, cal.labels, { ...options, seed: s }), alpha);
          const sets = predictionSets(test.probs, classes, qhat, { ...options, seed: 5000 + s });
          sets.forEach((set, i) => {
            if (set.includes(test.labels[i]!)) coverage++;
            size += set.length;
          });
        }
        coverage /= splits * 500;
        // Expected coverage is >= 1 - alpha; the mean over 50,000 test points varies by about 0.002.
        expect(coverage).toBeGreaterThanOrEqual(1 - alpha - 0.006);
        // ... and the sets are informative (not every class).
        expect(size / (splits * 500)).toBeLessThan(classes);
      }
    });
  }
});

describe('perExitConformal / evaluateConformal', () => {
  // Two classes, two exits; row [1 - s, s] with label 0 has LAC score s (up to float32 rounding).
  const rowsFor = (scores: number[]) => new Float32Array(scores.flatMap((s) => [1 - s, s]));
  const calibration = {
    probs: [rowsFor([0.1, 0.2, 0.3, 0.9, 0.9, 0.4]), rowsFor([0.05, 0.1, 0.15, 0.2, 0.25, 0.3])],
    labels: new Int32Array(6),
    exits: new Int32Array([0, 0, 0, 1, 1, 0]),
  };

  it('uses the samples that exited at each exit, falling back to all samples at that head when minPerExit or fewer did', () => {
    const result = perExitConformal({ calibration, alpha: 0.25, score: 'lac', minPerExit: 2 });
    expect(result.exitCounts).toEqual([4, 2]);
    expect(result.fallback).toEqual([false, true]);
    // exit 0: scores 0.1, 0.2, 0.3, 0.4 (samples 0, 1, 2, 5): ceil(5 * 0.75) = 4th -> 0.4
    expect(result.quantiles[0]).toBeCloseTo(0.4, 6);
    // exit 1: all six scores at head 1: ceil(7 * 0.75) = 6th -> 0.3
    expect(result.quantiles[1]).toBeCloseTo(0.3, 6);
    // With the default minPerExit = 20 both exits fall back.
    expect(perExitConformal({ calibration, alpha: 0.25, score: 'lac' }).fallback).toEqual([true, true]);
  });

  it('reports mean set size and coverage, overall and per exit', () => {
    const conformal = perExitConformal({ calibration, alpha: 0.25, score: 'lac', minPerExit: 2 });
    const test = {
      probs: [new Float32Array([0.75, 0.25, 0.5, 0.5, 0.5, 0.5]), new Float32Array([0.5, 0.5, 0.5, 0.5, 0.75, 0.25])],
      labels: new Int32Array([0, 1, 1]),
      exits: new Int32Array([0, 0, 1]),
    };
    const report = evaluateConformal(conformal, test);
    // exit 0 (qhat 0.4): sample 0 -> {0} covered; sample 1 -> {} (scores 0.5, 0.5) not covered.
    // exit 1 (qhat 0.3): sample 2 [0.75, 0.25] -> {0}, label 1 not covered.
    expect(report.meanSetSize).toBeCloseTo(2 / 3, 12);
    expect(report.coverage).toBeCloseTo(1 / 3, 12);
    expect(report.perExit.map((e) => [e.samples, e.meanSetSize, e.coverage])).toEqual([
      [2, 0.5, 0.5],
      [1, 1, 0],
    ]);
  });

  it('per-exit coverage holds on synthetic early exits', () => {
    const classes = 5;
    const a = exchangeable(4000, classes, 3);
    const b = exchangeable(4000, classes, 3); // same labels: later head sharper
    const sharper = softmaxRows(Float32Array.from(b.probs, (p) => 3 * Math.log(p)), classes);
    // Exit at head 0 when its top probability is high; the exit rule depends only on the sample itself.
    const exits = Int32Array.from({ length: 4000 }, (_, i) => (Math.max(...a.probs.subarray(i * classes, (i + 1) * classes)) > 0.35 ? 0 : 1));
    const split = (from: number, to: number) => ({
      probs: [a.probs.slice(from * classes, to * classes), sharper.slice(from * classes, to * classes)],
      labels: a.labels.slice(from, to),
      exits: exits.slice(from, to),
    });
    const conformal = perExitConformal({ calibration: split(0, 2000), alpha: 0.1, score: 'aps' });
    const report = evaluateConformal(conformal, split(2000, 4000));
    expect(conformal.fallback).toEqual([false, false]);
    for (const exit of report.perExit) expect(exit.coverage!).toBeGreaterThan(0.9 - 0.03);
  });

  it('names bad inputs', () => {
    const wrongExits = catchError(() => perExitConformal({ calibration: { ...calibration, exits: new Int32Array([0, 2, 0, 0, 0, 0]) }, alpha: 0.1, score: 'lac' }));
    expect(wrongExits).toBeInstanceOf(ArgumentError);
    expect((wrongExits as ArgumentError).field).toBe('calibration.exits[1]');
    const short = catchError(() => perExitConformal({ calibration: { ...calibration, exits: new Int32Array(3) }, alpha: 0.1, score: 'lac' }));
    expect(short).toBeInstanceOf(CountMismatchError);
    const conformal = perExitConformal({ calibration, alpha: 0.25, score: 'lac' });
    const mismatch = catchError(() => evaluateConformal(conformal, { ...calibration, probs: [calibration.probs[0]!] }));
    expect(mismatch).toBeInstanceOf(CountMismatchError);
  });
});
