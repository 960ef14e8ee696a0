import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { binomialPValue, hoeffdingPValue } from '../src/index.js';
import { expectFieldError } from './catch-error.js';

function choose(n: number, k: number): number {
  let out = 1;
  for (let j = 0; j < k; j++) out = (out * (n - j)) / (j + 1);
  return out;
}

describe('binomialPValue = P(Binomial(n, epsilon) <= losses)', () => {
  it('hand cases', () => {
    expect(binomialPValue(0, 3, 0.5)).toBeCloseTo(0.125, 12);
    expect(binomialPValue(1, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialPValue(3, 3, 0.5)).toBe(1);
    expect(binomialPValue(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 12);
  });
  it('matches the direct sum', () => {
    let direct = 0;
    for (let j = 0; j <= 3; j++) direct += choose(20, j) * 0.2 ** j * 0.8 ** (20 - j);
    expect(binomialPValue(3, 20, 0.2)).toBeCloseTo(direct, 12);
  });
  it('does not underflow for large n', () => {
    // P(X <= 1000) for X ~ Binomial(10000, 0.1): the mean, so about a half.
    const p = binomialPValue(1000, 10000, 0.1);
    expect(p).toBeGreaterThan(0.5);
    expect(p).toBeLessThan(0.52);
  });
  it('rejects bad counts', () => {
    expectFieldError(() => binomialPValue(4, 3, 0.5), ArgumentError, 'losses');
    expectFieldError(() => binomialPValue(0, 3, 0), ArgumentError, 'epsilon');
  });
});

describe('hoeffdingPValue = exp(-2 n (epsilon - risk)_+^2)', () => {
  it('hand cases', () => {
    expect(hoeffdingPValue(0, 4, 0.5)).toBeCloseTo(Math.exp(-2), 12);
    expect(hoeffdingPValue(0.1, 100, 0.2)).toBeCloseTo(Math.exp(-2), 12);
    expect(hoeffdingPValue(0.3, 100, 0.2)).toBe(1);
  });
  it('rejects a mean loss outside [0, 1]', () => {
    expectFieldError(() => hoeffdingPValue(2, 4, 0.5), ArgumentError, 'risk');
  });
});
