import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';

/** Checks that `logits` is batch x classes and `labels` holds one int32 class index per row. */
export function checkLogitsAndLabels(logits: tf.Tensor, labels: tf.Tensor, field = 'logits'): void {
  if (logits.rank !== 2) {
    throw new InputShapeError({
      field,
      expected: 'a rank-2 tensor (batch x classes)',
      received: `shape [${logits.shape.join(', ')}]`,
    });
  }
  if (labels.rank !== 1) {
    throw new InputShapeError({
      field: 'labels',
      expected: 'a rank-1 tensor of class indices',
      received: `shape [${labels.shape.join(', ')}]`,
    });
  }
  if (labels.dtype !== 'int32') {
    throw new ArgumentError({ field: 'labels.dtype', expected: 'int32', received: labels.dtype });
  }
  if (logits.shape[0] !== labels.shape[0]) {
    throw new CountMismatchError({
      field: `${field}.shape[0]`,
      expected: `${labels.shape[0]} rows (one per label)`,
      received: `${logits.shape[0]} rows`,
    });
  }
}

/**
 * Cross-entropy of each row: -log softmax(logits)[label] = logsumexp(logits) - logits[label], computed through
 * a log-softmax (stable for large logits). Labels outside [0, classes) are not checked (that would read the
 * tensor back); they contribute logsumexp(logits).
 */
export function crossEntropyPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  checkLogitsAndLabels(logits, labels);
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, 1);
    const targets = tf.oneHot(labels, logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(logProbs, targets), 1)) as tf.Tensor1D;
  });
}
