import { ArgumentError, createRng } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { drawDepth, SHALLOW_IMAGE_DEPTH_WEIGHTS, sampleEncoderDepths } from '../src/encoder-depths.js';

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

describe('weighted depth draws', () => {
  it('drawDepth gives depth d with probability weights[d - 1] / sum, and repeats with the seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 7000 }, () => drawDepth(rng, [1, 4, 1, 1]));
    };
    const depths = draw(3);
    expect(draw(3)).toEqual(depths);
    const counts = [0, 0, 0, 0, 0];
    for (const d of depths) counts[d]! += 1;
    expect(counts[0]).toBe(0);
    // expected 1000, 4000, 1000, 1000; sd about 29 (p = 1/7) and 41 (p = 4/7): 5 sd either side
    expect(Math.abs(counts[1]! - 1000)).toBeLessThan(150);
    expect(Math.abs(counts[2]! - 4000)).toBeLessThan(210);
    expect(Math.abs(counts[3]! - 1000)).toBeLessThan(150);
    expect(Math.abs(counts[4]! - 1000)).toBeLessThan(150);
  });

  it('drawDepth never draws a depth of weight 0, and rejects negative, non-finite or all-zero weights', () => {
    const rng = createRng(9);
    const depths = new Set(Array.from({ length: 500 }, () => drawDepth(rng, [0, 2, 0, 1])));
    expect(depths).toEqual(new Set([2, 4]));
    expect(drawDepth(createRng(1), [0, 0, 5])).toBe(3);
    expect(() => drawDepth(rng, [1, -1])).toThrow(ArgumentError);
    expect(() => drawDepth(rng, [1, Number.NaN])).toThrow(ArgumentError);
    expect(() => drawDepth(rng, [0, 0])).toThrow(ArgumentError);
    expect(() => drawDepth(rng, [])).toThrow(ArgumentError);
  });

  it('mixed-shallow-image: half full, and in the other half image depth 2 four times as often as each other depth', () => {
    expect(SHALLOW_IMAGE_DEPTH_WEIGHTS).toEqual([1, 4, 1, 1]);
    const rng = createRng(21);
    const n = 8000;
    const depths = Array.from({ length: n }, () => sampleEncoderDepths('mixed-shallow-image', rng, 4));
    const image = [0, 0, 0, 0, 0];
    const text = [0, 0, 0, 0, 0];
    for (const d of depths) {
      image[d.image]! += 1;
      text[d.text]! += 1;
    }
    // image: P(1) = P(3) = 1/2 * 1/7, P(2) = 1/2 * 4/7, P(4) = 1/2 + 1/2 * 1/7
    const expectedImage = [0, n / 14, (4 * n) / 14, n / 14, n / 2 + n / 14];
    // text: uniform in the random half, P(4) = 1/2 + 1/8
    const expectedText = [0, n / 8, n / 8, n / 8, n / 2 + n / 8];
    for (let d = 1; d <= 4; d++) {
      // sd at most sqrt(n / 4) = 45: 5 sd = 225
      expect(Math.abs(image[d]! - expectedImage[d]!)).toBeLessThan(225);
      expect(Math.abs(text[d]! - expectedText[d]!)).toBeLessThan(225);
    }
    // fewer layers than weights: the weights are cut; more: the extra depths weigh 1
    const two = createRng(4);
    for (let i = 0; i < 200; i++) expect(sampleEncoderDepths('mixed-shallow-image', two, 2).image).toBeLessThanOrEqual(2);
    const six = createRng(4);
    const deep = new Set(Array.from({ length: 2000 }, () => sampleEncoderDepths('mixed-shallow-image', six, 6).image));
    expect(deep).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });
});
