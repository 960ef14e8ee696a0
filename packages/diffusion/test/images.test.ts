import { ArgumentError, InputShapeError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { areaDownsample, padImages, takeImages, toSignedRange, toUnitRange } from '../src/index.js';

describe('image helpers', () => {
  it('pads a 2x2 image into the centre of a 4x4 one', () => {
    const out = padImages({ pixels: Float32Array.from([1, 2, 3, 4]), n: 1, size: 2 }, 4);
    expect(Array.from(out.pixels)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
    expect(() => padImages({ pixels: new Float32Array(4), n: 1, size: 2 }, 5)).toThrow(ArgumentError);
  });
  it('area-downsamples by block means', () => {
    const pixels = Float32Array.from([1, 3, 0, 0, 5, 7, 0, 4, 2, 2, 8, 8, 2, 2, 8, 8]);
    const out = areaDownsample({ pixels, n: 1, size: 4 }, 2);
    expect(Array.from(out.pixels)).toEqual([4, 1, 2, 8]);
    const one = areaDownsample({ pixels, n: 1, size: 4 }, 1);
    expect(one.pixels[0]).toBeCloseTo(60 / 16, 6);
  });
  it('rejects a side that does not divide, and pixels that do not match n and size', () => {
    expect(() => areaDownsample({ pixels: new Float32Array(16), n: 1, size: 4 }, 3)).toThrow(InputShapeError);
    expect(() => areaDownsample({ pixels: new Float32Array(15), n: 1, size: 4 }, 2)).toThrow(/pixels.length/);
  });
  it('maps ranges and takes rows', () => {
    expect(Array.from(toSignedRange(Float32Array.from([0, 0.5, 1])))).toEqual([-1, 0, 1]);
    expect(Array.from(toUnitRange(Float32Array.from([-2, 0, 1, 3])))).toEqual([0, 0.5, 1, 1]);
    const two = { pixels: Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2]), n: 2, size: 2 };
    expect(Array.from(takeImages(two, [1]).pixels)).toEqual([2, 2, 2, 2]);
    expect(() => takeImages(two, [2])).toThrow(ArgumentError);
  });
});
