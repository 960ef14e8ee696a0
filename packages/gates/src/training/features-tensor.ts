import * as tf from '@tensorflow/tfjs';
import { InputShapeError } from '@offramp/core';

const TINY = 1e-30;

function rowEntropy(p: tf.Tensor2D): tf.Tensor1D {
  // 0 log 0 = 0: log(max(p, tiny)) is finite and p times it is 0 where p = 0.
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, TINY))), 1)) as tf.Tensor1D;
}

function featuresOf(probs: tf.Tensor2D): tf.Tensor2D {
  const classes = probs.shape[1];
  const max = tf.max(probs, 1);
  const entropy = rowEntropy(probs);
  const top = tf.topk(probs, Math.min(2, classes));
  const margin =
    classes === 1
      ? tf.squeeze(top.values, [1])
      : tf.sub(tf.squeeze(tf.slice(top.values, [0, 0], [-1, 1]), [1]), tf.squeeze(tf.slice(top.values, [0, 1], [-1, 1]), [1]));
  const squared = tf.square(probs);
  const norm = tf.sum(squared, 1, true);
  const sharpened = tf.div(squared, tf.maximum(norm, TINY)) as tf.Tensor2D;
  const power = rowEntropy(sharpened);
  return tf.stack([max, entropy, margin, power], 1) as tf.Tensor2D;
}

const stoppedFeatures = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const probs = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  save([probs]);
  return {
    value: featuresOf(probs),
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.zerosLike(saved[0]!),
  };
});

/**
 * JEI-DNN's phi as a tensor: rows of [max p, H(p), p(1) - p(2), H(p^2 / sum p^2)] (entropies in nats) of a
 * batch x classes probability tensor, with the gradient stopped: the gate loss never trains the head through
 * phi. Matches `uncertaintyFeatures` of `@offramp/gates` to float32 rounding.
 */
export function uncertaintyFeaturesTensor(probs: tf.Tensor2D): tf.Tensor2D {
  if (probs.rank !== 2) {
    throw new InputShapeError({ field: 'probs', expected: 'a rank-2 tensor (batch x classes)', received: `shape [${probs.shape.join(', ')}]` });
  }
  return tf.tidy(() => stoppedFeatures(probs) as tf.Tensor2D);
}
