import * as tf from '@tensorflow/tfjs';
import { InputShapeError } from '@offramp/core';

/**
 * BERxiT's "learning to exit" loss: mean_i (sigmoid(a_i) - y_i)^2, the squared error between the gate's
 * output u = sigmoid(a) and y_i = 1 when the exit's head is correct on sample i, else 0.
 */
export function exitCorrectnessLoss(gateLogits: tf.Tensor1D, correct: tf.Tensor1D): tf.Scalar {
  if (gateLogits.rank !== 1 || correct.rank !== 1 || gateLogits.shape[0] !== correct.shape[0]) {
    throw new InputShapeError({
      field: 'correct',
      expected: `a rank-1 tensor of ${gateLogits.shape[0]} values (as gateLogits)`,
      received: `shape [${correct.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.sigmoid(gateLogits), tf.cast(correct, 'float32')))) as tf.Scalar);
}
