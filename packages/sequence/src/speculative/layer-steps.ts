import type { TransformerLm } from '@offramp/backbones';
import { softmaxRows } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';
import { argmax, sampleIndex } from './acceptance.js';
import type { TokenChoice } from './decode-options.js';

/** Next-token probabilities of the shared exit head on hidden states [1, T, d], one row per position. */
export async function headRows(lm: TransformerLm, hidden: tf.Tensor): Promise<Float32Array[]> {
  const logits = lm.head(hidden);
  try {
    const probs = softmaxRows((await logits.data()) as Float32Array, lm.vocabSize);
    return Array.from({ length: hidden.shape[1]! }, (_, t) => probs.subarray(t * lm.vocabSize, (t + 1) * lm.vocabSize));
  } finally {
    logits.dispose();
  }
}

export const choose = (probs: Float32Array, choice: TokenChoice): number => (choice.rng ? sampleIndex(probs, choice.rng.next()) : argmax(probs));
