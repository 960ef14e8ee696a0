import * as tf from '@tensorflow/tfjs';

/** Layer normalisation over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. Call inside tf.tidy. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
}
