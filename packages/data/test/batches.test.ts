import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { type Batch, batches, countBatches } from '../src/index.js';
import { tinyDataset } from './fixtures.js';

const ds = tinyDataset([4, 6]);

function order(list: Iterable<Batch>): number[] {
  return [...list].flatMap((batch) => Array.from(batch.indices));
}

describe('batches', () => {
  it('yields the samples in order without shuffle, the last batch smaller', () => {
    const list = [...batches(ds, { batchSize: 4 })];
    expect(list.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(Array.from(list[2]!.indices)).toEqual([8, 9]);
    expect(Array.from(list[0]!.labels)).toEqual([0, 0, 0, 0]);
    // the first pixel of each image is its sample index
    expect(list[1]!.images.length).toBe(16);
    expect([0, 1, 2, 3].map((i) => list[1]!.images[i * 4])).toEqual([4, 5, 6, 7]);
  });

  it('drops a short last batch when asked', () => {
    const list = [...batches(ds, { batchSize: 4, dropLast: true })];
    expect(list.map((b) => b.size)).toEqual([4, 4]);
    expect(countBatches(10, { batchSize: 4, dropLast: true })).toBe(2);
    expect(countBatches(10, { batchSize: 4 })).toBe(3);
  });

  it('covers every sample exactly once per shuffled epoch, labels matching', () => {
    for (let epoch = 0; epoch < 3; epoch++) {
      const list = [...batches(ds, { batchSize: 3, shuffle: true, seed: 5, epoch })];
      expect(order(list).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      list.forEach((batch) => {
        batch.indices.forEach((index, i) => {
          expect(batch.labels[i]).toBe(ds.labels[index]);
          expect(batch.images[i * 4]).toBe(index);
        });
      });
    }
  });

  it('repeats the order for the same seed and epoch, changes it for another epoch or seed', () => {
    const a = order(batches(ds, { batchSize: 3, shuffle: true, seed: 5, epoch: 1 }));
    const b = order(batches(ds, { batchSize: 3, shuffle: true, seed: 5, epoch: 1 }));
    const c = order(batches(ds, { batchSize: 3, shuffle: true, seed: 5, epoch: 2 }));
    const d = order(batches(ds, { batchSize: 3, shuffle: true, seed: 6, epoch: 1 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });

  it('rejects batchSize 0, a fractional batchSize and a shuffle without seed, when called', () => {
    expect(() => batches(ds, { batchSize: 0 })).toThrow(ArgumentError);
    expect(() => batches(ds, { batchSize: 0 })).toThrow(/^batchSize: expected a whole number >= 1, received 0/);
    expect(() => batches(ds, { batchSize: 2.5 })).toThrow(ArgumentError);
    expect(() => batches(ds, { batchSize: 2, shuffle: true })).toThrow(/^seed:/);
    expect(() => batches(ds, { batchSize: 2, epoch: -1 })).toThrow(/^epoch:/);
  });
});
