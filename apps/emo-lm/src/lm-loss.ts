import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import { crossEntropyPerSample, type EmoMode, emoLoss, stopGradient } from '@offramp/losses';
import { exitLossWeights, type LayerSkipOptions, layerDropoutRates, NO_LAYER_SKIP } from './layer-skip.js';
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

/**
 * Logits of every exit for inputs [B, T], each layer skipped per sample at its LayerSkip dropout rate (a skipped
 * layer passes its input on). `seed` draws the skips; rates of 0 skip nothing. Call inside tf.tidy.
 */
function droppedExitLogits(lm: TransformerLm, inputs: tf.Tensor2D, rates: readonly number[], seed: number): tf.Tensor[] {
  if (rates.every((r) => r === 0)) return lm.exitLogits(inputs);
  const batch = inputs.shape[0];
  let x = lm.embed(inputs);
  const out: tf.Tensor[] = [];
  for (let l = 0; l < lm.layers; l++) {
    const step = lm.layer(l, x);
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform([batch, 1, 1], 0, 1, 'float32', seed * 131 + l), rates[l]!), 'float32');
    x = tf.add(x, tf.mul(keep, tf.sub(step.output, x)));
    out.push(lm.head(x));
  }
  return out;
}

/** Mean over exits l < L - 1 of KL(sg(p_L) || p_l), averaged over positions: how far each exit is from the last. */
export function exitDistillation(exits: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    const last = exits[exits.length - 1]!;
    const target = stopGradient(tf.softmax(last));
    const logTarget = stopGradient(tf.logSoftmax(last));
    const kls = exits.slice(0, -1).map((logits) => tf.mean(tf.sum(tf.mul(target, tf.sub(logTarget, tf.logSoftmax(logits))), -1)));
    return tf.div(tf.addN(kls), kls.length) as tf.Scalar;
  });
}

/**
 * The exits' objectives on a batch of windows, combined with the exit weights (the mean over exits unless
 * `layerSkip` says otherwise); every exit shares the head, so all are trained. `step` seeds the layer dropout.
 */
export function lmLoss(lm: TransformerLm, batch: Windows, objective: Objective, layerSkip: LayerSkipOptions = NO_LAYER_SKIP, step = 0): tf.Scalar {
  const weights = exitLossWeights(lm.layers, layerSkip);
  const rates = layerDropoutRates(lm.layers, layerSkip.layerDropout);
  return tf.tidy(() => {
    const { inputs, targets } = shiftedPair(batch);
    const flatTargets = tf.reshape(targets, [-1]) as tf.Tensor1D;
    const exits = droppedExitLogits(lm, inputs, rates, step);
    const terms = exits.map((logits) =>
      objective.kind === 'mle'
        ? tf.mean(crossEntropyPerSample(tf.reshape(logits, [-1, lm.vocabSize]) as tf.Tensor2D, flatTargets))
        : emoLoss(logits, targets, objective.costEmbedding, { mode: objective.mode }),
    );
    const combined =
      layerSkip.exitWeights === 'uniform' ? tf.div(tf.addN(terms), terms.length) : tf.addN(terms.map((term, l) => tf.mul(term, weights[l]!)));
    const w = layerSkip.exitDistillation ?? 0;
    if (w === 0 || exits.length < 2) return combined as tf.Scalar;
    return tf.add(combined, tf.mul(exitDistillation(exits), w)) as tf.Scalar;
  });
}
