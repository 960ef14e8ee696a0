import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import { crossEntropyPerSample, type EmoMode, emoLoss } from '@offramp/losses';
import type { Windows } from './windows.js';

/** What an exit is trained with: cross-entropy (MLE) or EMO against a frozen cost embedding. */
export type Objective =
  | { readonly kind: 'mle' }
  | { readonly kind: 'emo'; readonly mode: EmoMode; readonly costEmbedding: tf.Tensor2D };

/** Inputs [B, T] and next-token targets [B, T] of windows of T + 1 tokens. */
export function shiftedPair(windows: Windows): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  return tf.tidy(() => {
    const all = tf.tensor2d(windows.tokens, [windows.count, windows.length], 'int32');
    const t = windows.length - 1;
    return {
      inputs: tf.slice(all, [0, 0], [windows.count, t]) as tf.Tensor2D,
      targets: tf.slice(all, [0, 1], [windows.count, t]) as tf.Tensor2D,
    };
  });
}

/** Mean over exits of the objective on a batch of windows (every exit shares the head, so all are trained). */
export function lmLoss(lm: TransformerLm, batch: Windows, objective: Objective): tf.Scalar {
  return tf.tidy(() => {
    const { inputs, targets } = shiftedPair(batch);
    const flatTargets = tf.reshape(targets, [-1]) as tf.Tensor1D;
    const terms = lm.exitLogits(inputs).map((logits) =>
      objective.kind === 'mle'
        ? tf.mean(crossEntropyPerSample(tf.reshape(logits, [-1, lm.vocabSize]) as tf.Tensor2D, flatTargets))
        : emoLoss(logits, targets, objective.costEmbedding, { mode: objective.mode }),
    );
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  });
}
