import { ArgumentError, InputShapeError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { classCounts, createImageDataset, subsetDataset } from '../src/index.js';
import { sampleIds, tinyDataset } from './fixtures.js';

describe('createImageDataset', () => {
  it('keeps the arrays and counts the samples', () => {
    const ds = tinyDataset([2, 3]);
    expect(ds.n).toBe(5);
    expect(ds.shape).toEqual([2, 2, 1]);
    expect(Array.from(classCounts(ds))).toEqual([2, 3]);
  });

  it('rejects images whose length does not match the labels', () => {
    const call = () => createImageDataset(new Float32Array(7), new Int32Array(2), [2, 2, 1], 2);
    expect(call).toThrow(InputShapeError);
    expect(call).toThrow(/images.length: expected 8 values/);
  });

  it('rejects a label outside the classes, naming it', () => {
    const call = () => createImageDataset(new Float32Array(8), Int32Array.from([0, 2]), [2, 2, 1], 2);
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(/labels\[1\]/);
  });

  it('rejects a bad shape and a bad class count', () => {
    expect(() => createImageDataset(new Float32Array(0), new Int32Array(0), [2, 0, 1], 2)).toThrow(InputShapeError);
    expect(() => createImageDataset(new Float32Array(0), new Int32Array(0), [2, 2, 1], 0)).toThrow(ArgumentError);
  });
});

describe('subsetDataset', () => {
  it('takes the samples in the order given', () => {
    const ds = tinyDataset([2, 3]);
    const sub = subsetDataset(ds, [4, 0, 2]);
    expect(sub.n).toBe(3);
    expect(sampleIds(sub)).toEqual([4, 0, 2]);
    expect(Array.from(sub.labels)).toEqual([1, 0, 1]);
    expect(sub.images.length).toBe(12);
  });

  it('rejects an index out of range, naming its position', () => {
    const ds = tinyDataset([2, 3]);
    expect(() => subsetDataset(ds, [0, 5])).toThrow(ArgumentError);
    expect(() => subsetDataset(ds, [0, 5])).toThrow(/indices\[1\]: expected a sample index in \[0, 4\]/);
    expect(() => subsetDataset(ds, [1.5])).toThrow(ArgumentError);
  });
});
