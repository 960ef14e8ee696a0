import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { coarseToFineMinimum } from '../src/index.js';

describe('coarseToFineMinimum', () => {
  it('finds a planted minimum to within the final spacing', async () => {
    const result = await coarseToFineMinimum((x) => (x - 0.37) ** 2, { lo: 0, hi: 1, coarse: 11, fine: 5, rounds: 2 });
    // coarse spacing 0.1, then 0.05, then 0.025: grid 0.4 -> 0.35 -> 0.375
    expect(result.resolution).toBeCloseTo(0.025, 12);
    expect(result.best.x).toBeCloseTo(0.375, 12);
    expect(Math.abs(result.best.x - 0.37)).toBeLessThanOrEqual(result.resolution);
    // 11 coarse points, then 5 around 0.4 (0.3 and 0.4 seen), then 5 around 0.35 (0.3, 0.35, 0.4 seen)
    expect(result.evaluations).toHaveLength(11 + 3 + 2);
  });
  it('finds a minimum at the end of the interval', async () => {
    const result = await coarseToFineMinimum((x) => -x, { lo: 0, hi: 1, coarse: 5, fine: 3, rounds: 3 });
    expect(result.best.x).toBe(1);
  });
  it('keeps the coarse answer with no rounds, and takes async functions', async () => {
    const result = await coarseToFineMinimum(async (x) => Math.abs(x - 0.6), { lo: 0, hi: 1, coarse: 3, fine: 3, rounds: 0 });
    expect(result.best.x).toBe(0.5);
    expect(result.evaluations.map((e) => e.x)).toEqual([0, 0.5, 1]);
  });
  it('rejects bad options and NaN values', async () => {
    const f = (x: number) => x;
    await expect(coarseToFineMinimum(f, { lo: 1, hi: 0, coarse: 3, fine: 3, rounds: 1 })).rejects.toThrow(ArgumentError);
    await expect(coarseToFineMinimum(f, { lo: 0, hi: 1, coarse: 1, fine: 3, rounds: 1 })).rejects.toThrow(/coarse/);
    await expect(coarseToFineMinimum(f, { lo: 0, hi: 1, coarse: 3, fine: 2, rounds: 1 })).rejects.toThrow(/fine/);
    await expect(coarseToFineMinimum(() => Number.NaN, { lo: 0, hi: 1, coarse: 3, fine: 3, rounds: 0 })).rejects.toThrow(/NaN/);
  });
});
