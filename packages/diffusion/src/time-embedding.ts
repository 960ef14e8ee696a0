import { checkWholeNumber } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Sinusoidal embedding of a continuous noise level t (one per sample): the row of a sample is
 * [sin(a * w_0), ..., sin(a * w_{h-1}), cos(a * w_0), ..., cos(a * w_{h-1})] (plus a 0 when dim is odd) with
 * a = scale * t, h = floor(dim / 2) and w_i = maxPeriod^(-i / h). The output is [batch, dim].
 */
export function sinusoidalEmbedding(t: tf.Tensor1D, dim: number, scale = 1000, maxPeriod = 10000): tf.Tensor2D {
  checkWholeNumber(dim, 2, 'dim');
  const half = Math.floor(dim / 2);
  const freqs = Float32Array.from({ length: half }, (_, i) => maxPeriod ** (-i / half));
  return tf.tidy(() => {
    const args = tf.mul(tf.reshape(tf.mul(t, scale), [-1, 1]), tf.tensor2d(freqs, [1, half]));
    const parts = [tf.sin(args), tf.cos(args)];
    if (dim % 2 === 1) parts.push(tf.zerosLike(tf.slice(args, [0, 0], [-1, 1])));
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
