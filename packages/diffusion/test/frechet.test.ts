import { CountMismatchError, InputShapeError } from '@offramp/core';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { frechetDistance, type GaussianStatistics, gaussianStatistics, symmetricSqrt } from '../src/index.js';

const stats = (mean: number[], covariance: number[][]): GaussianStatistics => ({
  mean: Float64Array.from(mean),
  covariance: Float64Array.from(covariance.flat()),
  dim: mean.length,
});

describe('gaussianStatistics', () => {
  it('gives the mean and the unbiased covariance', () => {
    // points (0,0), (2,0), (1,3): mean (1,1); deviations (-1,-1), (1,-1), (0,2)
    // var x = (1+1+0)/2 = 1, var y = (1+1+4)/2 = 3, cov = (1-1+0)/2 = 0
    const s = gaussianStatistics([0, 0, 2, 0, 1, 3], 2);
    expect(Array.from(s.mean)).toEqual([1, 1]);
    expect(Array.from(s.covariance)).toEqual([1, 0, 0, 3]);
  });
  it('rejects features that are not whole vectors or too few', () => {
    expect(() => gaussianStatistics([1, 2, 3], 2)).toThrow(InputShapeError);
    expect(() => gaussianStatistics([1, 2], 2)).toThrow(InputShapeError);
  });
});

describe('frechetDistance', () => {
  it('1-D: N(0,1) vs N(1,4) is 1 + 1 + 4 - 2*2 = 2', () => {
    expect(frechetDistance(stats([0], [[1]]), stats([1], [[4]]))).toBeCloseTo(2, 10);
  });
  it('diagonal: means 0 and (1,1), diag(1,4) vs diag(4,9) gives 2 + 18 - 2*(2+6) = 4', () => {
    const d = frechetDistance(stats([0, 0], [[1, 0], [0, 4]]), stats([1, 1], [[4, 0], [0, 9]]));
    expect(d).toBeCloseTo(4, 10);
  });
  it('non-commuting: [[2,1],[1,2]] vs I is 4 + 2 - 2*(sqrt(3) + 1) = 4 - 2 sqrt(3)', () => {
    const d = frechetDistance(stats([0, 0], [[2, 1], [1, 2]]), stats([0, 0], [[1, 0], [0, 1]]));
    expect(d).toBeCloseTo(4 - 2 * Math.sqrt(3), 10);
    // symmetric in its arguments
    expect(frechetDistance(stats([0, 0], [[1, 0], [0, 1]]), stats([0, 0], [[2, 1], [1, 2]]))).toBeCloseTo(d, 10);
  });
  it('is 0 between a set and itself', () => {
    const features = Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 1.7) + (i % 3));
    const s = gaussianStatistics(features, 3);
    expect(frechetDistance(s, s)).toBeCloseTo(0, 8);
  });
  it('rejects statistics of different sizes', () => {
    expect(() => frechetDistance(stats([0], [[1]]), stats([0, 0], [[1, 0], [0, 1]]))).toThrow(CountMismatchError);
  });
});

describe('symmetricSqrt', () => {
  it('squares back to the matrix: sqrt([[2,1],[1,2]]) has eigenvalues sqrt(3) and 1', () => {
    const m = new Matrix([[2, 1], [1, 2]]);
    const r = symmetricSqrt(m);
    const back = r.mmul(r);
    expect(back.get(0, 0)).toBeCloseTo(2, 10);
    expect(back.get(0, 1)).toBeCloseTo(1, 10);
    expect(r.trace()).toBeCloseTo(Math.sqrt(3) + 1, 10);
  });
});
