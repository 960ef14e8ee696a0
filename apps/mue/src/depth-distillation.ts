import { CountMismatchError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Self-distillation across encoder depths: the sum over decoder layers l of the mean, over the positions where
 * `keep` is 1, of KL(p || q_l), with p = `teacherProbs` (the full model's output distribution on the full-depth
 * memory, a constant: computed outside the gradient) and q_l = softmax(`studentLogits[l]`) (decoder layer l on a
 * shallow memory). `studentLogits[l]` and `teacherProbs` are [B, T, V], `keep` [B, T] (1 = counts, 0 = padding).
 * No kept position gives 0. Returns a scalar the caller disposes.
 */
export function depthDistillationLoss(studentLogits: readonly tf.Tensor[], teacherProbs: tf.Tensor, keep: tf.Tensor): tf.Scalar {
  if (studentLogits.length === 0) {
    throw new CountMismatchError({ field: 'studentLogits', expected: 'one tensor per decoder layer', received: '0 tensors' });
  }
  if (teacherProbs.rank !== 3) {
    throw new InputShapeError({ field: 'teacherProbs', expected: 'a tensor [batch, steps, vocabulary]', received: `shape [${teacherProbs.shape.join(', ')}]` });
  }
  const [b, t] = teacherProbs.shape;
  if (keep.rank !== 2 || keep.shape[0] !== b || keep.shape[1] !== t) {
    throw new InputShapeError({ field: 'keep', expected: `shape [${b}, ${t}]`, received: `shape [${keep.shape.join(', ')}]` });
  }
  studentLogits.forEach((s, l) => {
    if (s.rank !== 3 || s.shape.some((d, i) => d !== teacherProbs.shape[i])) {
      throw new InputShapeError({ field: `studentLogits[${l}]`, expected: `shape [${teacherProbs.shape.join(', ')}]`, received: `shape [${s.shape.join(', ')}]` });
    }
  });
  return tf.tidy(() => {
    const weight = tf.cast(keep, 'float32');
    const count = tf.maximum(tf.sum(weight), 1);
    // p log p with 0 log 0 = 0
    const plogp = tf.sum(tf.mul(teacherProbs, tf.log(tf.maximum(teacherProbs, 1e-30))), -1);
    const perLayer = studentLogits.map((logits) => {
      const kl = tf.sub(plogp, tf.sum(tf.mul(teacherProbs, tf.logSoftmax(logits, -1)), -1));
      return tf.div(tf.sum(tf.mul(kl, weight)), count);
    });
    return tf.addN(perLayer) as tf.Scalar;
  });
}
