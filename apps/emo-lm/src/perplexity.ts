import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import { crossEntropyPerSample } from '@offramp/losses';
import { shiftedPair } from './lm-loss.js';
import { takeWindows, type Windows } from './windows.js';

/** Perplexity exp(mean next-token NLL) of every exit over all positions of the windows (teacher forcing). */
export async function exitPerplexities(lm: TransformerLm, windows: Windows, batchSize = 32): Promise<number[]> {
  const sums = new Float64Array(lm.layers);
  let count = 0;
  for (let start = 0; start < windows.count; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, windows.count - start) }, (_, i) => start + i);
    const batch = takeWindows(windows, rows);
    const nll = tf.tidy(() => {
      const { inputs, targets } = shiftedPair(batch);
      const flat = tf.reshape(targets, [-1]) as tf.Tensor1D;
      return tf.stack(
        lm.exitLogits(inputs).map((z) => tf.sum(crossEntropyPerSample(tf.reshape(z, [-1, lm.vocabSize]) as tf.Tensor2D, flat))),
      );
    });
    const values = await nll.data();
    nll.dispose();
    values.forEach((v, l) => {
      sums[l]! += v;
    });
    count += rows.length * (windows.length - 1);
  }
  return Array.from(sums, (s) => Math.exp(s / count));
}
