import { describe, expect, it } from 'vitest';
import { apportion } from '../src/apportion.js';

function check(counts: number[], sizes: number[]): number[][] {
  const table = apportion(counts, sizes);
  const total = counts.reduce((a, b) => a + b, 0);
  table.forEach((row, s) => {
    expect(row.reduce((a, b) => a + b, 0)).toBe(sizes[s]);
    row.forEach((cell, c) => {
      const exact = (sizes[s]! * counts[c]!) / total;
      expect(cell === Math.floor(exact) || cell === Math.ceil(exact)).toBe(true);
    });
  });
  counts.forEach((count, c) => {
    expect(table.reduce((sum, row) => sum + row[c]!, 0)).toBe(count);
  });
  return table;
}

describe('apportion', () => {
  it('splits evenly divisible counts exactly', () => {
    expect(apportion([4, 6], [5, 5])).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  it('rounds 3 classes of 1 over parts of 1 and 2 (hand-checked)', () => {
    // exact shares: part 0 gets 1/3 of each class, part 1 gets 2/3 of each class
    const table = check([1, 1, 1], [1, 2]);
    expect(table[0]!.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('keeps row and column sums where independent rounding would overflow a class', () => {
    // every cell is 1.5: rounding each one up would give class 0 four samples out of 3
    const table = check([3, 3], [3, 3]);
    expect(table[0]![0]! + table[1]![0]!).toBe(3);
    check([5, 5, 5, 5, 5], [7, 6, 12]);
    check([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], [7000, 1000, 2000, 0]);
    check([3, 0, 7], [2, 2, 6]);
  });
});
