import { describe, expect, it } from 'vitest';
import { cutWindows, sampleWindows, takeWindows, windowBatches } from '../src/windows.js';

describe('windows', () => {
  const stream = Int32Array.from({ length: 10 }, (_, i) => i);

  it('cuts consecutive windows with a stride', () => {
    const w = cutWindows(stream, 4, 3);
    expect(w.count).toBe(3);
    expect([...w.tokens]).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9]);
    expect(cutWindows(stream, 11).count).toBe(0);
    expect(() => cutWindows(stream, 1)).toThrow(/length/);
  });

  it('takes, samples and batches windows with a seed', () => {
    const w = cutWindows(stream, 2);
    expect([...takeWindows(w, [4, 0]).tokens]).toEqual([8, 9, 0, 1]);
    expect(() => takeWindows(w, [5])).toThrow(/rows\[0\]/);
    const s = sampleWindows(w, 3, 1);
    expect(s.count).toBe(3);
    expect(sampleWindows(w, 3, 1).tokens).toEqual(s.tokens);
    const batches = [...windowBatches(w, 2, 9)];
    expect(batches).toHaveLength(2);
    const firsts = batches.flatMap((b) => [b.tokens[0]!, b.tokens[2]!]);
    expect(new Set(firsts).size).toBe(4);
  });
});
