import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, InputShapeError, NonFiniteInputError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classCounts,
  type ImageDataset,
  loadDigitFolder,
  loadMnistDigits,
  MNIST_DIGITS_SPLIT,
  splitDataset,
} from '../src/index.js';
import { parseDigitFile } from '../src/digit-file.js';

describe('loadMnistDigits', () => {
  let ds: ImageDataset;
  beforeAll(async () => {
    ds = await loadMnistDigits();
  });

  it('holds the 10,000 digits of the mnist package, 28 x 28 x 1, pixels in [0, 1]', () => {
    expect(ds.n).toBe(10000);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect(ds.images.length).toBe(10000 * 784);
    expect(Array.from(classCounts(ds))).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = 1;
    let max = 0;
    for (const v of ds.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('caches the data set after the first load', async () => {
    expect(await loadMnistDigits()).toBe(ds);
  });

  it('splits into the default sizes, stratified', () => {
    const split = splitDataset(ds, { ...MNIST_DIGITS_SPLIT, seed: 0 });
    expect([split.train.n, split.validation.n, split.test.n]).toEqual([7000, 1000, 2000]);
    const counts = classCounts(ds);
    classCounts(split.test).forEach((count, c) => {
      expect(Math.abs(count - (2000 * counts[c]!) / 10000)).toBeLessThan(1);
    });
  });
});

describe('digit files', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'offramp-digits-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const image = (value: number): number[] => Array.from({ length: 784 }, () => value);

  it('reads a folder of 10 per-digit files, labelled by file', async () => {
    for (let d = 0; d < 10; d++) {
      await writeFile(join(folder, `${d}.json`), JSON.stringify({ data: [...image(d / 10), ...image(0)] }));
    }
    const ds = await loadDigitFolder(folder);
    expect(ds.n).toBe(20);
    expect(Array.from(ds.labels.subarray(0, 4))).toEqual([0, 0, 1, 1]);
    expect(ds.images[2 * 784 * 3]).toBeCloseTo(0.3, 6);
  });

  it('names the file whose length is not a multiple of 784', async () => {
    await writeFile(join(folder, '4.json'), JSON.stringify({ data: image(0).slice(1) }));
    const load = loadDigitFolder(folder);
    await expect(load).rejects.toThrow(InputShapeError);
    await expect(load).rejects.toThrow(/4\.json: data\.length: expected a positive multiple of 784.*received 783/);
  });

  it('names a missing file', async () => {
    await rm(join(folder, '4.json'));
    await expect(loadDigitFolder(folder)).rejects.toThrow(ArgumentError);
    await expect(loadDigitFolder(folder)).rejects.toThrow(/4\.json/);
  });

  it('rejects values outside [0, 1], non-numbers, non-finite values and a missing data field', () => {
    const bad = image(0);
    bad[5] = 1.5;
    expect(() => parseDigitFile(JSON.stringify({ data: bad }), '7.json')).toThrow(
      /7\.json: data\[5\]: expected a pixel value in \[0, 1\], received 1.5/,
    );
    bad[5] = Number.NaN; // JSON writes NaN as null
    expect(() => parseDigitFile(JSON.stringify({ data: bad }), '7.json')).toThrow(/data\[5\]: expected a number/);
    expect(() => parseDigitFile(`{"data":[${image(0).join(',')}]}`.replace('[0,', '[1e999,'), '7.json')).toThrow(
      NonFiniteInputError,
    );
    expect(() => parseDigitFile('{"pixels":[]}', '7.json')).toThrow(/7\.json: data: expected an array/);
    expect(() => parseDigitFile('{', '7.json')).toThrow(/7\.json: expected a JSON document/);
  });
});
