import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, InputShapeError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classCounts,
  clothesDataset,
  decodeRawClothes,
  encodeRawClothes,
  fashionMnistFolder,
  loadFashionMnistRaw,
  parseClothesFile,
  sampleClothes,
} from '../src/index.js';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

/** An image whose pixels are all `value`. */
const image = (value: number) => new Array(784).fill(value);

describe('parseClothesFile', () => {
  it('keeps the 784-value rows and reports the indices of the others', () => {
    const parsed = parseClothesFile(JSON.stringify({ data: [image(1), [], image(255), [1, 2, 3]] }), 'x.json');
    expect(parsed.count).toBe(2);
    expect(parsed.skipped).toEqual([1, 3]);
    expect(parsed.pixels[0]).toBe(1);
    expect(parsed.pixels[784]).toBe(255);
  });
  it('rejects values that are not whole pixels in 0..255, naming the row and column', () => {
    const bad = image(0);
    bad[5] = 256;
    const error = thrown(() => parseClothesFile(JSON.stringify({ data: [image(0), bad] }), 'x.json'));
    expect(error).toBeInstanceOf(InputShapeError);
    expect((error as InputShapeError).field).toBe('x.json: data[1][5]');
    bad[5] = 0.5;
    expect((thrown(() => parseClothesFile(JSON.stringify({ data: [bad] }), 'x.json')) as InputShapeError).field).toBe('x.json: data[0][5]');
    expect((thrown(() => parseClothesFile('{"rows": []}', 'x.json')) as InputShapeError).field).toBe('x.json: data');
    expect(thrown(() => parseClothesFile('{', 'x.json'))).toBeInstanceOf(InputShapeError);
  });
});

describe('loadFashionMnistRaw on a small generated folder', () => {
  let folder: string;
  let cacheDir: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'clothes-'));
    cacheDir = join(await mkdtemp(join(tmpdir(), 'clothes-cache-')), 'nested');
    for (let c = 0; c < 10; c++) {
      const rows = [image(c), image(10 * c + 1), ...(c === 0 ? [[]] : [])];
      await writeFile(join(folder, `${c}.json`), JSON.stringify({ data: rows }));
    }
  });

  it('parses once, caches compact bytes atomically, and reads the cache the second time', async () => {
    const first = await loadFashionMnistRaw({ cacheDir, folder });
    expect(first.fromCache).toBe(false);
    expect(first.n).toBe(20);
    expect(first.skipped).toBe(1);
    expect(Array.from(first.labels.subarray(0, 4))).toEqual([0, 0, 1, 1]);
    const bytes = await readFile(first.cachePath);
    expect(bytes.byteLength).toBe(16 + 20 + 20 * 784);
    const second = await loadFashionMnistRaw({ cacheDir, folder: join(folder, 'not-read') });
    expect(second.fromCache).toBe(true);
    expect(second.skipped).toBe(1);
    expect(Array.from(second.pixels)).toEqual(Array.from(first.pixels));
    const ds = clothesDataset(second, [3]);
    expect(ds.labels[0]).toBe(1);
    expect(ds.images[0]).toBeCloseTo(11 / 255, 7);
    expect(ds.shape).toEqual([28, 28, 1]);
  });

  it('samples a seeded, class-balanced subset', async () => {
    const raw = await loadFashionMnistRaw({ cacheDir, folder });
    const a = sampleClothes(raw, 1, 3);
    expect(Array.from(classCounts(a))).toEqual(new Array(10).fill(1));
    expect(Array.from(sampleClothes(raw, 1, 3).images)).toEqual(Array.from(a.images));
    expect((thrown(() => sampleClothes(raw, 3, 1)) as ArgumentError).field).toBe('perClass');
    expect((thrown(() => clothesDataset(raw, [20])) as ArgumentError).field).toBe('indices[0]');
  });

  it('rejects a cache file that is not one, and a missing folder', async () => {
    expect(thrown(() => decodeRawClothes(new Uint8Array(20), 'c.bin'))).toBeInstanceOf(InputShapeError);
    const good = encodeRawClothes({ n: 1, skipped: 0, labels: Uint8Array.of(3), pixels: new Uint8Array(784) });
    expect((thrown(() => decodeRawClothes(good.subarray(0, 100), 'c.bin')) as InputShapeError).field).toBe('c.bin: length');
    const empty = await mkdtemp(join(tmpdir(), 'clothes-empty-'));
    await mkdir(join(empty, 'cache'));
    await expect(loadFashionMnistRaw({ cacheDir: join(empty, 'cache'), folder: empty })).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('the real fashion-mnist package', () => {
  it('class 0 holds 7,002 rows: the two empty ones (1000 and 7001) are skipped', async () => {
    const file = join(fashionMnistFolder(), '0.json');
    const parsed = parseClothesFile(await readFile(file, 'utf8'), file);
    expect(parsed.count).toBe(7000);
    expect(parsed.skipped).toEqual([1000, 7001]);
    let max = 0;
    for (const v of parsed.pixels) max = Math.max(max, v);
    expect(max).toBe(255);
  });
});
