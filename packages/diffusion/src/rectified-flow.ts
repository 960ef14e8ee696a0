import { CountMismatchError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from './denoiser.js';

function checkLevels(x0: tf.Tensor4D, t: tf.Tensor1D): void {
  if (t.rank !== 1 || t.shape[0] !== x0.shape[0]) {
    throw new CountMismatchError({ field: 't.shape', expected: `[${x0.shape[0]}] (one level per image)`, received: `[${t.shape.join(', ')}]` });
  }
}

/** The rectified-flow interpolation x_t = (1 - t) x0 + t eps, with one t per image. */
export function noisyImages(x0: tf.Tensor4D, eps: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor4D {
  checkLevels(x0, t);
  return tf.tidy(() => {
    const level = tf.reshape(t, [-1, 1, 1, 1]);
    return tf.add(tf.mul(tf.sub(1, level), x0), tf.mul(level, eps)) as tf.Tensor4D;
  });
}

/**
 * The rectified-flow training loss: mean over pixels and images of (v - (eps - x0))^2, where v is the
 * denoiser's prediction at x_t conditioned on t.
 */
export function flowMatchingLoss(denoiser: Denoiser, x0: tf.Tensor4D, eps: tf.Tensor4D, t: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const v = denoiser.predict(noisyImages(x0, eps, t), t);
    return tf.mean(tf.squaredDifference(v, tf.sub(eps, x0))) as tf.Scalar;
  });
}

/** The clean-image estimate implied by a velocity v at level t: x0 = x_t - t v. */
export function estimateClean(xt: tf.Tensor4D, v: tf.Tensor4D, t: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(xt, tf.mul(tf.reshape(t, [-1, 1, 1, 1]), v)) as tf.Tensor4D);
}
