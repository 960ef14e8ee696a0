import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError } from '@offramp/core';
import { checkLogitsAndLabels, crossEntropyPerSample } from './cross-entropy.js';

/** Checks per-exit loss weights: one per exit, each finite and >= 0. */
export function checkExitWeights(weights: readonly number[], exits: number, field = 'weights'): void {
  if (weights.length !== exits) {
    throw new CountMismatchError({
      field: `${field}.length`,
      expected: `${exits} (one weight per exit)`,
      received: String(weights.length),
    });
  }
  weights.forEach((w, l) => {
    if (!Number.isFinite(w) || w < 0) {
      throw new ArgumentError({ field: `${field}[${l}]`, expected: 'a finite number >= 0', received: String(w) });
    }
  });
}

/**
 * Weighted sum over exits of the mean cross-entropy: sum_l w_l * mean_i CE(z^l_i, y_i).
 * Default weights are all 1.
 */
export function multiExitCrossEntropy(
  logitsPerExit: readonly tf.Tensor2D[],
  labels: tf.Tensor1D,
  weights?: readonly number[],
): tf.Scalar {
  if (logitsPerExit.length === 0) {
    throw new ArgumentError({ field: 'logitsPerExit', expected: 'at least one exit', received: 'an empty list' });
  }
  const w = weights ?? logitsPerExit.map(() => 1);
  checkExitWeights(w, logitsPerExit.length);
  logitsPerExit.forEach((logits, l) => {
    checkLogitsAndLabels(logits, labels, `logitsPerExit[${l}]`);
  });
  return tf.tidy(() => {
    const terms = logitsPerExit.map((logits, l) => tf.mul(tf.mean(crossEntropyPerSample(logits, labels)), w[l]!));
    return tf.addN(terms) as tf.Scalar;
  });
}
