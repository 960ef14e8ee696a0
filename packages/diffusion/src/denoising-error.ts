import { ArgumentError, checkWholeNumber, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from './denoiser.js';
import { checkImageBatch, type ImageBatch } from './images.js';
import { estimateClean, noisyImages } from './rectified-flow.js';

export interface DenoisingErrorInput {
  /** Clean images in [-1, 1]. */
  readonly clean: ImageBatch;
  /** Standard normal noise, one value per pixel of `clean`. */
  readonly noise: Float32Array;
  /** The level the images are noised at: x_t = (1 - t) x0 + t eps. */
  readonly level: number;
  /** The level the denoiser is told; default `level`. */
  readonly conditioning?: number;
  /** Images per forward pass; default 256. */
  readonly batchSize?: number;
}

function checkLevel(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ArgumentError({ field, expected: 'a level in [0, 1]', received: String(value) });
  }
}

/**
 * Mean squared error per pixel of the clean-image estimate x0_hat = x_t - t v(x_t, s): the images are noised
 * at the true level t, the denoiser is conditioned on s, and the estimate uses t (as the sampler's step does).
 */
export async function denoisingError(denoiser: Denoiser, input: DenoisingErrorInput): Promise<number> {
  const { clean, noise, level } = input;
  checkImageBatch(clean, 'clean');
  if (noise.length !== clean.pixels.length) {
    throw new InputShapeError({ field: 'noise.length', expected: `${clean.pixels.length} (one value per pixel)`, received: String(noise.length) });
  }
  checkLevel(level, 'level');
  const conditioning = input.conditioning ?? level;
  checkLevel(conditioning, 'conditioning');
  const batchSize = input.batchSize ?? 256;
  checkWholeNumber(batchSize, 1, 'batchSize');
  if (clean.n === 0) throw new InputShapeError({ field: 'clean.n', expected: 'at least one image', received: '0' });
  const per = clean.size * clean.size;
  let sum = 0;
  for (let start = 0; start < clean.n; start += batchSize) {
    const rows = Math.min(batchSize, clean.n - start);
    const part = tf.tidy(() => {
      const shape: [number, number, number, number] = [rows, clean.size, clean.size, 1];
      const x0 = tf.tensor4d(clean.pixels.subarray(start * per, (start + rows) * per), shape);
      const eps = tf.tensor4d(noise.subarray(start * per, (start + rows) * per), shape);
      const t = tf.fill([rows], level) as tf.Tensor1D;
      const xt = noisyImages(x0, eps, t);
      const v = denoiser.predict(xt, tf.fill([rows], conditioning) as tf.Tensor1D);
      return tf.sum(tf.squaredDifference(estimateClean(xt, v, t), x0));
    });
    sum += (await part.data())[0]!;
    part.dispose();
  }
  return sum / (clean.n * per);
}
