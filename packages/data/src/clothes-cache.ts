import { InputShapeError } from '@offramp/core';
import { FASHION_IMAGE_SIZE } from './clothes-file.js';

/** The parsed Fashion-MNIST images as compact bytes. */
export interface RawClothes {
  readonly n: number;
  /** n x 784 pixel values 0..255. */
  readonly pixels: Uint8Array;
  /** n class indices 0..9. */
  readonly labels: Uint8Array;
  /** Rows of the package's files that were skipped (not 784 values long). */
  readonly skipped: number;
}

const MAGIC = 0x314e4d46; // "FMN1" little-endian
const HEADER = 16;

/** Binary form of the cache: 16-byte header (magic, n, skipped, 784), then n labels, then n x 784 pixels. */
export function encodeRawClothes(raw: RawClothes): Uint8Array {
  const out = new Uint8Array(HEADER + raw.n + raw.n * FASHION_IMAGE_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, raw.n, true);
  view.setUint32(8, raw.skipped, true);
  view.setUint32(12, FASHION_IMAGE_SIZE, true);
  out.set(raw.labels, HEADER);
  out.set(raw.pixels, HEADER + raw.n);
  return out;
}

/** Reads the binary cache back; throws InputShapeError naming `file` when it is not one. */
export function decodeRawClothes(bytes: Uint8Array, file: string): RawClothes {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER || view.getUint32(0, true) !== MAGIC || view.getUint32(12, true) !== FASHION_IMAGE_SIZE) {
    throw new InputShapeError({ field: file, expected: 'a Fashion-MNIST cache file (magic FMN1, 784 pixels)', received: `${bytes.byteLength} bytes without that header` });
  }
  const n = view.getUint32(4, true);
  const expected = HEADER + n + n * FASHION_IMAGE_SIZE;
  if (bytes.byteLength !== expected) {
    throw new InputShapeError({ field: `${file}: length`, expected: `${expected} bytes for ${n} images`, received: `${bytes.byteLength} bytes` });
  }
  return {
    n,
    skipped: view.getUint32(8, true),
    labels: bytes.subarray(HEADER, HEADER + n),
    pixels: bytes.subarray(HEADER + n, expected),
  };
}
