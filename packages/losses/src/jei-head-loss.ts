import * as tf from '@tensorflow/tfjs';
import { ArgumentError, InputShapeError } from '@offramp/core';
import { checkLogitsAndLabels, crossEntropyPerSample } from './cross-entropy.js';
import { stopGradient } from './stop-gradient.js';

export interface JeiHeadLossOptions {
  /**
   * 'paper' (default): r_i is treated as a constant (gradient stopped), so head l learns from sample i in
   * proportion to pi_il r_i, as the paper's objective says. 'released': r_i keeps its gradient, as in the
   * released code; then the loss is exactly mean_{i,l} CE_il and so is its gradient (uniform CE over heads).
   */
  readonly weighting?: 'paper' | 'released';
}

const EPSILON = 1e-12;

/**
 * JEI-DNN's head loss: mean_{i,l} pi_il CE_il r_i with r_i = sum_l CE_il / sum_l pi_il CE_il, pi the exit
 * distribution (batch x L) from the gates with its gradient stopped.
 */
export function jeiHeadLoss(
  logitsPerExit: readonly tf.Tensor2D[],
  labels: tf.Tensor1D,
  pi: tf.Tensor2D,
  options: JeiHeadLossOptions = {},
): tf.Scalar {
  const weighting = options.weighting ?? 'paper';
  if (weighting !== 'paper' && weighting !== 'released') {
    throw new ArgumentError({ field: 'options.weighting', expected: '"paper" or "released"', received: JSON.stringify(weighting) });
  }
  if (logitsPerExit.length === 0) {
    throw new ArgumentError({ field: 'logitsPerExit', expected: 'at least one exit', received: 'an empty list' });
  }
  logitsPerExit.forEach((logits, l) => {
    checkLogitsAndLabels(logits, labels, `logitsPerExit[${l}]`);
  });
  if (pi.rank !== 2 || pi.shape[0] !== labels.shape[0] || pi.shape[1] !== logitsPerExit.length) {
    throw new InputShapeError({
      field: 'pi',
      expected: `shape [${labels.shape[0]}, ${logitsPerExit.length}] (batch x exits)`,
      received: `shape [${pi.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    const ce = tf.stack(logitsPerExit.map((z) => crossEntropyPerSample(z, labels)), 1);
    const p = stopGradient(pi);
    const weighted = tf.mul(p, ce);
    const rRaw = tf.div(tf.sum(ce, 1, true), tf.maximum(tf.sum(weighted, 1, true), EPSILON));
    const r = weighting === 'paper' ? stopGradient(rRaw) : rRaw;
    return tf.mean(tf.mul(weighted, r)) as tf.Scalar;
  });
}
