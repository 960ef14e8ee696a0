import { ArgumentError, checkWholeNumber, InputShapeError } from '@offramp/core';

/** A batch of square single-channel images on the host: n x size x size values, row-major. */
export interface ImageBatch {
  readonly pixels: Float32Array;
  readonly n: number;
  /** Side of every image. */
  readonly size: number;
}

/** Checks that `pixels` holds exactly n images of size x size. */
export function checkImageBatch(batch: ImageBatch, field = 'images'): void {
  checkWholeNumber(batch.n, 0, `${field}.n`);
  checkWholeNumber(batch.size, 1, `${field}.size`);
  const expected = batch.n * batch.size * batch.size;
  if (batch.pixels.length !== expected) {
    throw new InputShapeError({
      field: `${field}.pixels.length`,
      expected: `${expected} values (${batch.n} images of ${batch.size}x${batch.size})`,
      received: `${batch.pixels.length} values`,
    });
  }
}

/** Centres every image in a larger square of `fill` (e.g. MNIST's 28x28 into 32x32 with a 2-pixel border). */
export function padImages(batch: ImageBatch, size: number, fill = 0): ImageBatch {
  checkImageBatch(batch);
  checkWholeNumber(size, batch.size, 'size');
  if ((size - batch.size) % 2 !== 0) {
    throw new ArgumentError({
      field: 'size',
      expected: `${batch.size} plus an even number (equal borders)`,
      received: String(size),
    });
  }
  const border = (size - batch.size) / 2;
  const pixels = new Float32Array(batch.n * size * size).fill(fill);
  for (let i = 0; i < batch.n; i++) {
    for (let r = 0; r < batch.size; r++) {
      const from = (i * batch.size + r) * batch.size;
      pixels.set(batch.pixels.subarray(from, from + batch.size), (i * size + r + border) * size + border);
    }
  }
  return { pixels, n: batch.n, size };
}

/**
 * Area downsampling to side `size`: every output pixel is the mean of the factor x factor block it covers,
 * factor = batch.size / size (a whole number).
 */
export function areaDownsample(batch: ImageBatch, size: number): ImageBatch {
  checkImageBatch(batch);
  checkWholeNumber(size, 1, 'size');
  if (batch.size % size !== 0) {
    throw new InputShapeError({
      field: 'size',
      expected: `a divisor of the image side ${batch.size}`,
      received: String(size),
    });
  }
  const factor = batch.size / size;
  const pixels = new Float32Array(batch.n * size * size);
  const scale = 1 / (factor * factor);
  for (let i = 0; i < batch.n; i++) {
    for (let r = 0; r < batch.size; r++) {
      for (let c = 0; c < batch.size; c++) {
        const value = batch.pixels[(i * batch.size + r) * batch.size + c]!;
        pixels[(i * size + Math.floor(r / factor)) * size + Math.floor(c / factor)]! += value * scale;
      }
    }
  }
  return { pixels, n: batch.n, size };
}

/** Maps pixels linearly from [0, 1] to [-1, 1] (the range the denoiser works in). */
export function toSignedRange(pixels: Float32Array): Float32Array {
  return pixels.map((v) => 2 * v - 1);
}

/** Maps pixels from [-1, 1] back to [0, 1], clipping what falls outside. */
export function toUnitRange(pixels: Float32Array): Float32Array {
  return pixels.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}

/** The images with indices `rows`, copied into a new batch. */
export function takeImages(batch: ImageBatch, rows: ArrayLike<number>): ImageBatch {
  const per = batch.size * batch.size;
  const pixels = new Float32Array(rows.length * per);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!Number.isInteger(row) || row < 0 || row >= batch.n) {
      throw new ArgumentError({ field: `rows[${i}]`, expected: `an index in [0, ${batch.n - 1}]`, received: String(row) });
    }
    pixels.set(batch.pixels.subarray(row * per, (row + 1) * per), i * per);
  }
  return { pixels, n: rows.length, size: batch.size };
}
