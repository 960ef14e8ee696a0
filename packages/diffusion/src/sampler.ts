import { ArgumentError, checkWholeNumber, createRng } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from './denoiser.js';
import { gaussianNoise } from './gaussian.js';
import type { ImageBatch } from './images.js';
import { checkNoiseTable, type NoiseTable } from './noise-table.js';
import { checkSchedule } from './schedule.js';

export interface SampleOptions {
  /** Image side; must suit the denoiser (a multiple of its sizeDivisor). */
  readonly size: number;
  readonly count: number;
  /** Levels t_0 = 1 > ... > t_K of the Euler steps. */
  readonly schedule: ArrayLike<number>;
  /** NoiseShift: condition step k on table.levels[k] instead of t_k. Must match size and schedule. */
  readonly table?: NoiseTable;
  /** Seed of the starting noise (the same seed gives the same start with or without a table). */
  readonly seed: number;
  /** Images per forward pass; default 256. */
  readonly batchSize?: number;
  /** Called after each batch with the number of images done. */
  readonly onBatch?: (done: number) => void;
}

/**
 * Rectified-flow sampling with Euler steps: x_{t_0} = eps, x_{t_{k+1}} = x_{t_k} + (t_{k+1} - t_k) v(x_{t_k}, c_k)
 * with c_k = t_k, or the table's level when one is given. Returns images in [-1, 1] (unclipped).
 */
export async function sampleImages(denoiser: Denoiser, options: SampleOptions): Promise<ImageBatch> {
  const { size, count } = options;
  checkWholeNumber(size, 1, 'size');
  if (size % denoiser.sizeDivisor !== 0) {
    throw new ArgumentError({ field: 'size', expected: `a multiple of ${denoiser.sizeDivisor} (the denoiser's size divisor)`, received: String(size) });
  }
  checkWholeNumber(count, 1, 'count');
  checkSchedule(options.schedule);
  const schedule = Array.from(options.schedule);
  const conditioning = options.table
    ? checkNoiseTable(options.table, { resolution: size, schedule }).levels
    : schedule.slice(0, -1);
  const batchSize = options.batchSize ?? 256;
  checkWholeNumber(batchSize, 1, 'batchSize');
  const per = size * size * denoiser.channels;
  const pixels = gaussianNoise(createRng(options.seed), count * per);
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    let x = tf.tensor4d(pixels.subarray(start * per, (start + rows) * per), [rows, size, size, denoiser.channels]);
    for (let k = 0; k < schedule.length - 1; k++) {
      const next = tf.tidy(() => {
        const v = denoiser.predict(x, tf.fill([rows], conditioning[k]!) as tf.Tensor1D);
        return tf.add(x, tf.mul(v, schedule[k + 1]! - schedule[k]!)) as tf.Tensor4D;
      });
      x.dispose();
      x = next;
    }
    pixels.set(await x.data(), start * per);
    x.dispose();
    options.onBatch?.(start + rows);
  }
  return { pixels, n: count, size };
}
