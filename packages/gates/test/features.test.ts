import { ArgumentError, InputShapeError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  entropy,
  maxProb,
  normalizedEntropy,
  normalizedPowerEntropy,
  powerEntropy,
  topTwoMargin,
  UNCERTAINTY_FEATURE_COUNT,
  uncertaintyFeatures,
} from '../src/index.js';
import { catchError } from './catch-error.js';

// Row 0: p = [0.7, 0.2, 0.1]; row 1: p = [0.5, 0.25, 0.25].
const probs = new Float32Array([0.7, 0.2, 0.1, 0.5, 0.25, 0.25]);
const ln = Math.log;
// H([0.7, 0.2, 0.1]) = -(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.80181855...
const h0 = -(0.7 * ln(0.7) + 0.2 * ln(0.2) + 0.1 * ln(0.1));
// H([0.5, 0.25, 0.25]) = 1.5 ln 2
const h1 = 1.5 * ln(2);
// q = [0.49, 0.04, 0.01] / 0.54
const q0 = [0.49 / 0.54, 0.04 / 0.54, 0.01 / 0.54];
const hq0 = -(q0[0]! * ln(q0[0]!) + q0[1]! * ln(q0[1]!) + q0[2]! * ln(q0[2]!));
// q = [0.25, 0.0625, 0.0625] / 0.375 = [2/3, 1/6, 1/6]: H = (2/3) ln 1.5 + (1/3) ln 6
const hq1 = (2 / 3) * ln(1.5) + (1 / 3) * ln(6);

describe('feature functions', () => {
  it('max probability and top-two margin', () => {
    expect(Array.from(maxProb(probs, 3))).toEqual([Math.fround(0.7), Math.fround(0.5)]);
    const margin = topTwoMargin(probs, 3);
    expect(margin[0]).toBeCloseTo(0.5, 6);
    expect(margin[1]).toBeCloseTo(0.25, 6);
  });

  it('margin with a tie at the top is 0, and a single class gives p(1)', () => {
    expect(topTwoMargin(new Float32Array([0.4, 0.4, 0.2]), 3)[0]).toBe(0);
    expect(topTwoMargin(new Float32Array([1]), 1)[0]).toBe(1);
  });

  it('entropy in nats, raw and normalised by ln C', () => {
    expect(h0).toBeCloseTo(0.8018186, 6);
    const h = entropy(probs, 3);
    expect(h[0]).toBeCloseTo(h0, 6);
    expect(h[1]).toBeCloseTo(h1, 6);
    const n = normalizedEntropy(probs, 3);
    expect(n[0]).toBeCloseTo(h0 / ln(3), 6);
    expect(n[0]).toBeCloseTo(0.7298467, 6);
    expect(n[1]).toBeCloseTo(h1 / ln(3), 6);
  });

  it('power entropy of q = p^2 / sum p^2', () => {
    expect(hq0).toBeCloseTo(0.354829, 6);
    const h = powerEntropy(probs, 3);
    expect(h[0]).toBeCloseTo(hq0, 6);
    expect(h[1]).toBeCloseTo(hq1, 6);
    const n = normalizedPowerEntropy(probs, 3);
    expect(n[0]).toBeCloseTo(hq0 / ln(3), 6);
  });

  it('one-hot rows have zero entropy, uniform rows have normalised entropy 1', () => {
    const rows = new Float32Array([0, 1, 0, 0, 0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(entropy(rows, 4))[0]).toBe(0);
    expect(normalizedEntropy(rows, 4)[1]).toBeCloseTo(1, 6);
    expect(normalizedPowerEntropy(rows, 4)[0]).toBe(0);
    expect(normalizedPowerEntropy(rows, 4)[1]).toBeCloseTo(1, 6);
  });

  it('rejects arrays that are not whole rows, and bad class counts', () => {
    expect(() => maxProb(new Float32Array(5), 3)).toThrow(InputShapeError);
    expect(catchError(() => entropy(new Float32Array(5), 3))).toMatchObject({
      field: 'probs.length',
      received: '5',
    });
    expect(() => topTwoMargin(new Float32Array(6), 0)).toThrow(ArgumentError);
    expect(() => powerEntropy(new Float32Array(6), 2.5)).toThrow(ArgumentError);
  });
});

describe('uncertaintyFeatures', () => {
  it('gives [max p, H(p), p1 - p2, H(p^2 / sum p^2)] per row with raw entropies', () => {
    const f = uncertaintyFeatures(probs, 3);
    expect(UNCERTAINTY_FEATURE_COUNT).toBe(4);
    expect(f.length).toBe(8);
    const expected = [
      [0.7, h0, 0.5, hq0],
      [0.5, h1, 0.25, hq1],
    ];
    expected.forEach((row, r) => {
      row.forEach((value, k) => {
        expect(f[r * 4 + k]).toBeCloseTo(value, 6);
      });
    });
  });

  it('rejects a bad shape', () => {
    expect(() => uncertaintyFeatures(new Float32Array(7), 3)).toThrow(InputShapeError);
  });
});
