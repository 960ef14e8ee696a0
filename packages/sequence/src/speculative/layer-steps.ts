import type { TransformerLm } from '@offramp/backbones';
import { softmaxRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { argmax, sampleIndex } from './acceptance.js';
import type { TokenChoice } from './decode-options.js';
import type { KvCache } from '../kv-cache.js';

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

/** Runs layers [from, to) on x [1, T, d] with the cache, extending it; disposes x, returns the output. */
export function runLayers(lm: TransformerLm, cache: KvCache, x: tf.Tensor, from: number, to: number): tf.Tensor {
  let h = x;
  for (let l = from; l < to; l++) {
    const out = lm.layer(l, h, cache.entry(l));
    cache.set(l, out.keys, out.values);
    h.dispose();
    h = out.output;
  }
  return h;
}

/** Tokens [1, T] fed at `position` through the embedding. */
export function embedTokens(lm: TransformerLm, tokens: ArrayLike<number>, position: number): tf.Tensor {
  const ids = tf.tensor2d([Array.from(tokens)], [1, tokens.length], 'int32');
  try {
    return lm.embed(ids, position);
  } finally {
    ids.dispose();
  }
}

export const choose = (probs: Float32Array, choice: TokenChoice): number => (choice.rng ? sampleIndex(probs, choice.rng.next()) : argmax(probs));
