import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { areaWeights, inkFromRgba, MNIST_SIDE, toMnist } from '../src/page/downsample.js';

describe('areaWeights', () => {
  it('splits source pixels over target pixels by overlap (3 -> 2 by hand)', () => {
    // target 0 covers [0, 1.5): all of pixel 0, half of pixel 1; target 1 covers [1.5, 3).
    const w = areaWeights(3, 2);
    expect(Array.from(w)).toEqual([1 / 1.5, 0.5 / 1.5, 0, 0, 0.5 / 1.5, 1 / 1.5].map(Math.fround));
  });

  it('gives rows that sum to 1 when enlarging too', () => {
    const w = areaWeights(2, 5);
    for (let j = 0; j < 5; j++) expect(w[j * 2]! + w[j * 2 + 1]!).toBeCloseTo(1, 6);
    // target 2 covers [0.8, 1.2): 0.2 of pixel 0 and 0.2 of pixel 1, over a step of 0.4.
    expect(w[4]).toBeCloseTo(0.5, 6);
    expect(w[5]).toBeCloseTo(0.5, 6);
  });
});

describe('toMnist', () => {
  it('scales the ink box to 20 pixels and centres it by mass (a 10 x 40 bar, by hand)', () => {
    const width = 100;
    const ink = new Float32Array(width * width);
    for (let y = 30; y < 70; y++) for (let x = 5; x < 15; x++) ink[y * width + x] = 1;
    const out = toMnist(ink, width, width);
    // scale 20/40: a 5 x 20 patch of ones, mass centre (2.5, 10) -> left round(11.5) = 12, top 4.
    for (let y = 0; y < MNIST_SIDE; y++) {
      for (let x = 0; x < MNIST_SIDE; x++) {
        const inside = y >= 4 && y < 24 && x >= 12 && x < 17;
        expect(out[y * MNIST_SIDE + x], `pixel (${x}, ${y})`).toBeCloseTo(inside ? 1 : 0, 6);
      }
    }
  });

  it('shrinks a 20-pixel bar 10 times to a 2-pixel column, centred', () => {
    const width = 200;
    const ink = new Float32Array(width * width);
    for (let y = 0; y < 200; y++) for (let x = 95; x < 115; x++) ink[y * width + x] = 1;
    const out = toMnist(ink, width, width);
    // 20 x 200 -> 2 x 20, all ones; centred at column 13..14.
    const row = Array.from(out.subarray(10 * MNIST_SIDE, 11 * MNIST_SIDE));
    expect(row.filter((v) => v > 0).length).toBe(2);
    expect(row[13]).toBeCloseTo(1, 6);
  });

  it('returns zeros for an empty drawing', () => {
    expect(toMnist(new Float32Array(16), 4, 4).every((v) => v === 0)).toBe(true);
  });

  it('rejects a size that does not match', () => {
    expect(() => toMnist(new Float32Array(10), 4, 4)).toThrow(ArgumentError);
    expect(() => toMnist(new Float32Array(0), 0, 4)).toThrow(/width, height/);
  });
});

describe('inkFromRgba', () => {
  it('reads the red channel as ink', () => {
    expect(Array.from(inkFromRgba([255, 0, 0, 255, 51, 51, 51, 255], 2, 1))).toEqual([1, Math.fround(0.2)]);
    expect(() => inkFromRgba([1, 2, 3], 1, 1)).toThrow(/rgba.length/);
  });
});
