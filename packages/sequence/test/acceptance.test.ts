import { createRng, type Rng } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { acceptGreedy, acceptSampled, argmax, sampleIndex } from '../src/index.js';

/** An Rng whose next() gives `values` in order. */
function scripted(values: number[]): Rng {
  const base = createRng(0);
  return { ...base, next: () => values.shift()! };
}
const rows = (...r: number[][]) => r.map((x) => Float32Array.from(x));

describe('acceptance rules (hand-computed)', () => {
  it('argmax takes the first of ties; sampleIndex walks the cumulative mass and skips empty tokens', () => {
    expect(argmax([0.2, 0.5, 0.5])).toBe(1);
    expect(sampleIndex([0.2, 0, 0.8], 0.19)).toBe(0);
    expect(sampleIndex([0.2, 0, 0.8], 0.2)).toBe(2);
    expect(sampleIndex([0.2, 0, 0.8], 0.999)).toBe(2);
    // Unnormalised masses are scaled by their total: [1, 3] is [0.25, 0.75].
    expect(sampleIndex([1, 3], 0.24)).toBe(0);
    expect(sampleIndex([1, 3], 0.26)).toBe(1);
  });

  it('greedy keeps drafts while they are the full argmax, then gives the full argmax', () => {
    const full = rows([0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]);
    expect(acceptGreedy(full, [2, 1])).toEqual({ accepted: 1, next: 0 });
    expect(acceptGreedy(full, [2, 0])).toEqual({ accepted: 2, next: 1 });
    expect(acceptGreedy(full, [0, 0])).toEqual({ accepted: 0, next: 2 });
    expect(acceptGreedy(full.slice(0, 1), [])).toEqual({ accepted: 0, next: 2 });
  });

  it('speculative sampling keeps x with probability min(1, p/q), else draws from the residual max(0, p - q)', () => {
    const full = rows([0.5, 0.3, 0.2], [0.1, 0.6, 0.3]);
    const draft = rows([0.25, 0.5, 0.25]);
    // p(1)/q(1) = 0.3 / 0.5 = 0.6: u = 0.5 keeps it; the bonus token from p_1 with u = 0.65 (cumulative 0.1, 0.7) is 1.
    expect(acceptSampled(full, draft, [1], scripted([0.5, 0.65]))).toEqual({ accepted: 1, next: 1 });
    // u = 0.7 rejects it: the residual is [0.25, 0, 0], so the next token is 0 whatever u.
    expect(acceptSampled(full, draft, [1], scripted([0.7, 0.99]))).toEqual({ accepted: 0, next: 0 });
    // p(0)/q(0) = 2 > 1: always kept.
    expect(acceptSampled(full, draft, [0], scripted([0.999, 0.05]))).toEqual({ accepted: 1, next: 0 });
    // p = q: always kept, whatever u.
    expect(acceptSampled(rows([0.5, 0.5], [1, 0]), rows([0.5, 0.5]), [1], scripted([0.999, 0.3]))).toEqual({ accepted: 1, next: 0 });
  });
});
