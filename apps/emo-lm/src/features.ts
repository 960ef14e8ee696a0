import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import type { Windows } from './windows.js';

/**
 * Features of texts from a language model: the last layer's output averaged over positions `from` .. end of each
 * window (the continuation), one row of d numbers per window.
 */
export async function lmFeatures(lm: TransformerLm, windows: Windows, from: number, batchSize = 32): Promise<Float64Array> {
  const out = new Float64Array(windows.count * lm.dModel);
  for (let start = 0; start < windows.count; start += batchSize) {
    const n = Math.min(batchSize, windows.count - start);
    const pooled = tf.tidy(() => {
      const tokens = tf.tensor2d(
        windows.tokens.subarray(start * windows.length, (start + n) * windows.length),
        [n, windows.length],
        'int32',
      );
      let x = lm.embed(tokens);
      for (let l = 0; l < lm.layers; l++) x = lm.layer(l, x).output;
      return tf.mean(tf.slice(x, [0, from, 0], [n, windows.length - from, lm.dModel]), 1);
    });
    out.set(await pooled.data(), start * lm.dModel);
    pooled.dispose();
  }
  return out;
}
