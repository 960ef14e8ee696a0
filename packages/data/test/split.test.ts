import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { classCounts, type ImageDataset, splitDataset } from '../src/index.js';
import { sampleIds, tinyDataset } from './fixtures.js';

const ds = tinyDataset([13, 29, 8, 50]);
const sizes = { train: 60, validation: 15, test: 20 };

function expectProportional(part: ImageDataset, whole: ImageDataset): void {
  const wholeCounts = classCounts(whole);
  classCounts(part).forEach((count, c) => {
    const exact = (part.n * wholeCounts[c]!) / whole.n;
    expect(Math.abs(count - exact)).toBeLessThan(1);
  });
}

describe('splitDataset', () => {
  it('gives each part its size, with disjoint samples', () => {
    const split = splitDataset(ds, { ...sizes, seed: 1 });
    expect([split.train.n, split.validation.n, split.test.n]).toEqual([60, 15, 20]);
    const all = [...sampleIds(split.train), ...sampleIds(split.validation), ...sampleIds(split.test)];
    expect(new Set(all).size).toBe(95);
  });

  it('keeps labels with their images', () => {
    const split = splitDataset(ds, { ...sizes, seed: 1 });
    sampleIds(split.test).forEach((id, i) => {
      expect(split.test.labels[i]).toBe(ds.labels[id]);
    });
  });

  it('keeps every class within 1 of its proportional count in every part', () => {
    for (const seed of [1, 2, 3]) {
      const split = splitDataset(ds, { ...sizes, seed });
      expectProportional(split.train, ds);
      expectProportional(split.validation, ds);
      expectProportional(split.test, ds);
    }
  });

  it('gives the same split for the same seed and a different one for another seed', () => {
    const a = splitDataset(ds, { ...sizes, seed: 7 });
    const b = splitDataset(ds, { ...sizes, seed: 7 });
    const c = splitDataset(ds, { ...sizes, seed: 8 });
    expect(sampleIds(a.train)).toEqual(sampleIds(b.train));
    expect(sampleIds(a.test)).toEqual(sampleIds(b.test));
    expect(sampleIds(a.train)).not.toEqual(sampleIds(c.train));
  });

  it('shuffles the order inside a part (not sorted by class)', () => {
    const { train } = splitDataset(ds, { ...sizes, seed: 3 });
    const labels = Array.from(train.labels);
    expect(labels).not.toEqual([...labels].sort((x, y) => x - y));
  });

  it('splits without stratification when asked, still disjoint and seeded', () => {
    const a = splitDataset(ds, { train: 50, validation: 25, test: 25, seed: 4, stratified: false });
    const b = splitDataset(ds, { train: 50, validation: 25, test: 25, seed: 4, stratified: false });
    const all = [...sampleIds(a.train), ...sampleIds(a.validation), ...sampleIds(a.test)];
    expect(new Set(all).size).toBe(100);
    expect(sampleIds(a.validation)).toEqual(sampleIds(b.validation));
  });

  it('allows empty parts', () => {
    const split = splitDataset(ds, { train: 100, validation: 0, test: 0, seed: 1 });
    expect(split.train.n).toBe(100);
    expect(split.validation.n).toBe(0);
    expect(split.validation.images.length).toBe(0);
  });

  it('rejects sizes that add up to more than the data set', () => {
    const call = () => splitDataset(ds, { train: 80, validation: 15, test: 10, seed: 1 });
    expect(call).toThrow(ArgumentError);
    expect(call).toThrow(/train \+ validation \+ test: expected at most the 100 samples.*received 80 \+ 15 \+ 10 = 105/);
  });

  it('rejects negative or fractional sizes and a missing seed, naming the field', () => {
    expect(() => splitDataset(ds, { train: -1, validation: 0, test: 0, seed: 1 })).toThrow(/^train:/);
    expect(() => splitDataset(ds, { train: 1, validation: 0.5, test: 0, seed: 1 })).toThrow(/^validation:/);
    expect(() => splitDataset(ds, { train: 1, validation: 0, test: 0, seed: Number.NaN })).toThrow(ArgumentError);
  });
});
