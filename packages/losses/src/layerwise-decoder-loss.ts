import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';

/** The output head shared by every decoder layer: layer norm, then a projection onto the vocabulary. */
export interface SharedOutputHead {
  /** [d] layer-norm scale. */
  readonly gamma: tf.Tensor;
  /** [d] layer-norm shift. */
  readonly beta: tf.Tensor;
  /** [d, V] output projection. */
  readonly kernel: tf.Tensor;
  /** [V] output bias; none when omitted. */
  readonly bias?: tf.Tensor;
}

export interface LayerwiseDecoderLossOptions {
  /** Target value of positions that count for nothing (padding). Default -1. */
  readonly ignoreIndex?: number;
  /** Layer-norm epsilon. Default 1e-5. */
  readonly epsilon?: number;
}

function checkInputs(hiddens: readonly tf.Tensor[], head: SharedOutputHead, targets: tf.Tensor): void {
  if (hiddens.length === 0) {
    throw new ArgumentError({ field: 'hiddens', expected: 'one tensor per decoder layer', received: '0 tensors' });
  }
  if (targets.rank !== 2 || targets.dtype !== 'int32') {
    throw new InputShapeError({
      field: 'targets',
      expected: 'an int32 tensor [batch, steps]',
      received: `${targets.dtype} shape [${targets.shape.join(', ')}]`,
    });
  }
  const d = head.kernel.shape[0]!;
  hiddens.forEach((h, l) => {
    if (h.rank !== 3 || h.shape[0] !== targets.shape[0] || h.shape[1] !== targets.shape[1] || h.shape[2] !== d) {
      throw new InputShapeError({
        field: `hiddens[${l}]`,
        expected: `shape [${targets.shape[0]}, ${targets.shape[1]}, ${d}] (batch, steps, features)`,
        received: `shape [${h.shape.join(', ')}]`,
      });
    }
  });
  if (head.gamma.size !== d || head.beta.size !== d) {
    throw new CountMismatchError({
      field: 'head.gamma/head.beta',
      expected: `${d} values each (the projection's input size)`,
      received: `${head.gamma.size} and ${head.beta.size}`,
    });
  }
}

/**
 * MuE's layer-wise decoder task loss: sum over decoder layers l of the mean cross-entropy
 * CE(OutProj(LN(h_l)), y) over the target positions that are not `ignoreIndex`, with ONE layer norm and ONE
 * output projection shared by all layers. `hiddens[l]` is layer l's output [B, T, d], `targets` [B, T] int32.
 * A batch whose targets are all ignored gives 0. Returns a scalar the caller disposes.
 */
export function layerwiseDecoderLoss(
  hiddens: readonly tf.Tensor[],
  head: SharedOutputHead,
  targets: tf.Tensor,
  options: LayerwiseDecoderLossOptions = {},
): tf.Scalar {
  checkInputs(hiddens, head, targets);
  const ignoreIndex = options.ignoreIndex ?? -1;
  const epsilon = options.epsilon ?? 1e-5;
  const vocab = head.kernel.shape[1]!;
  return tf.tidy(() => {
    const flatTargets = tf.reshape(targets, [-1]);
    const keep = tf.cast(tf.notEqual(flatTargets, ignoreIndex), 'float32');
    const safeTargets = tf.where(tf.cast(keep, 'bool'), flatTargets, tf.zerosLike(flatTargets));
    const oneHot = tf.oneHot(safeTargets as tf.Tensor1D, vocab);
    const count = tf.maximum(tf.sum(keep), 1);
    const perLayer = hiddens.map((h) => {
      const rows = tf.reshape(h, [-1, head.kernel.shape[0]!]);
      const { mean, variance } = tf.moments(rows, -1, true);
      const normed = tf.add(tf.mul(tf.div(tf.sub(rows, mean), tf.sqrt(tf.add(variance, epsilon))), head.gamma), head.beta);
      const projected = tf.matMul(normed, head.kernel);
      const logits = head.bias ? tf.add(projected, head.bias) : projected;
      const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits, 1), oneHot), 1));
      return tf.div(tf.sum(tf.mul(ce, keep)), count);
    });
    return tf.addN(perLayer) as tf.Scalar;
  });
}
