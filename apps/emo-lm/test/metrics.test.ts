import { createRng } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { frechetDistance, sqrtSymmetric, symmetricEigen } from '../src/frechet.js';
import { sampleTopK } from '../src/sampling.js';
import { distinctN, repetitionRate } from '../src/text-metrics.js';
import { exitThresholds, matchedThreshold, type Sweep } from '../src/threshold-sweep.js';
import type { DecodeRun } from '../src/decode-run.js';

describe('distinctN and repetitionRate', () => {
  it('match hand counts', () => {
    const seqs = [
      [1, 2, 1, 2, 1],
      [3, 3, 3],
    ];
    // unigrams: 8 in all, distinct {1, 2, 3} = 3
    expect(distinctN(seqs, 1)).toBeCloseTo(3 / 8, 10);
    // bigrams: (1,2) (2,1) (1,2) (2,1) | (3,3) (3,3) -> 6 in all, 3 distinct
    expect(distinctN(seqs, 2)).toBeCloseTo(3 / 6, 10);
    // rep-2 per sequence: 1 - 2/4 = 0.5 and 1 - 1/2 = 0.5
    expect(repetitionRate(seqs, 2)).toBeCloseTo(0.5, 10);
    // rep-4: first sequence has 2 four-grams, both different -> 0; the second has none (skipped)
    expect(repetitionRate(seqs, 4)).toBe(0);
    expect(distinctN([], 2)).toBe(0);
    expect(() => distinctN(seqs, 0)).toThrow(/n/);
  });
});

describe('Frechet distance', () => {
  it('finds the eigenvalues of a symmetric matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3
    const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect([...values].sort()).toEqual([expect.closeTo(1, 10), expect.closeTo(3, 10)]);
    const root = sqrtSymmetric(Float64Array.from([4, 0, 0, 9]), 2);
    expect([...root]).toEqual([expect.closeTo(2, 10), 0, 0, expect.closeTo(3, 10)]);
  });

  it('matches the one-dimensional formula and is 0 for the same set', () => {
    // a: mean 2, sample variance 1; b: mean 5, sample variance 4
    const a = Float64Array.from([1, 2, 3]);
    const b = Float64Array.from([3, 5, 7]);
    // (2 - 5)^2 + 1 + 4 - 2 sqrt(1 * 4) = 9 + 5 - 4 = 10
    expect(frechetDistance(a, b, 1)).toBeCloseTo(10, 8);
    const rows = Float64Array.from([1, 0, 0, 2, 3, 1, 2, 2, -1, 0.5]);
    expect(frechetDistance(rows, rows, 2)).toBeCloseTo(0, 6);
    expect(() => frechetDistance(a, Float64Array.from([1]), 1)).toThrow(/rows/);
  });
});

describe('sampleTopK', () => {
  it('takes the argmax with k = 1 and only the top k tokens otherwise', () => {
    const probs = Float32Array.from([0.1, 0.5, 0.15, 0.25]);
    const rng = createRng(3);
    expect(sampleTopK(probs, 1, rng)).toBe(1);
    const seen = new Set(Array.from({ length: 200 }, () => sampleTopK(probs, 2, rng)));
    expect([...seen].sort()).toEqual([1, 3]);
    expect(() => sampleTopK(probs, 0, rng)).toThrow(/topK/);
  });
});

describe('exitThresholds', () => {
  it('shares one threshold or keeps only the first exit', () => {
    expect(exitThresholds('all exits', 0.3, 4)).toEqual([0.3, 0.3, 0.3]);
    expect(exitThresholds('first exit only', 0.3, 4)).toEqual([0.3, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });
});

describe('matchedThreshold', () => {
  const run = (perplexity: number, macsPerToken: number): DecodeRun => ({
    perplexity,
    macsPerToken,
    tokens: 10,
    seconds: 1,
    tokensPerSecond: 10,
    exitCounts: [5, 5],
  });
  it('picks the cheapest threshold within the tolerance', () => {
    const sweep: Sweep = {
      full: run(10, 100),
      points: [
        { exitSet: 'all exits', threshold: 0.5, thresholds: [0.5], run: run(12, 60), relativeMacs: 0.6 },
        { exitSet: 'all exits', threshold: 0.7, thresholds: [0.7], run: run(10.4, 75), relativeMacs: 0.75 },
        { exitSet: 'first exit only', threshold: 0.9, thresholds: [0.9], run: run(10.1, 90), relativeMacs: 0.9 },
      ],
    };
    expect(matchedThreshold(sweep, 0.05)?.threshold).toBe(0.7);
    expect(matchedThreshold(sweep, 0.001)).toBeUndefined();
  });
});
