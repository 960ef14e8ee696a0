import { ArgumentError, createRng } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { sampleEncoderDepths } from '../src/encoder-depths.js';

describe('encoder depths of a training batch', () => {
  it('random-depth draws every depth 1..layers for each stream, about equally often, and repeats with the seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 4000 }, () => sampleEncoderDepths('random-depth', rng, 4));
    };
    const depths = draw(11);
    expect(draw(11)).toEqual(depths);
    expect(draw(12)).not.toEqual(depths);
    for (const stream of ['image', 'text'] as const) {
      const counts = [0, 0, 0, 0, 0];
      for (const d of depths) counts[d[stream]]! += 1;
      expect(counts[0]).toBe(0);
      // 1000 expected per depth; 5 standard deviations (about 137) either side
      for (const c of counts.slice(1)) expect(Math.abs(c - 1000)).toBeLessThan(137);
    }
    // the two streams draw independently: all 16 pairs occur
    expect(new Set(depths.map((d) => `${d.image}/${d.text}`)).size).toBe(16);
  });

  it('mixed-depth runs every layer in about half of the batches and random depths in the others', () => {
    const rng = createRng(5);
    const depths = Array.from({ length: 4000 }, () => sampleEncoderDepths('mixed-depth', rng, 4));
    const full = depths.filter((d) => d.image === 4 && d.text === 4).length;
    // both full: 1/2 + 1/2 * 1/16 = 0.53125 of 4000 = 2125, sd about 32
    expect(Math.abs(full - 2125)).toBeLessThan(160);
    for (const stream of ['image', 'text'] as const) {
      expect(new Set(depths.map((d) => d[stream]))).toEqual(new Set([1, 2, 3, 4]));
    }
  });

  it('full runs every layer, and a layer count below 1 is rejected', () => {
    expect(sampleEncoderDepths('full', createRng(1), 3)).toEqual({ image: 3, text: 3 });
    expect(sampleEncoderDepths('random-depth', createRng(1), 1)).toEqual({ image: 1, text: 1 });
    expect(() => sampleEncoderDepths('random-depth', createRng(1), 0)).toThrow(ArgumentError);
  });
});
