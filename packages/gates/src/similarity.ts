import { ArgumentError, defineGate } from '@offramp/core';
import { noOptions } from './no-options.js';

/**
 * similarity (MuE, ALGORITHMS.md section 2): score = cos(h_l, h_{l-1}) of each sample, in [-1, 1]. A layer that
 * barely changes its input has done little work, so the sample leaves there and keeps that layer's output.
 * The runner computes the cosines (`needs: ['similarity']`), per sample, so batching never changes a decision;
 * the paper's single cosine over the whole batch is `batchCosine` with `wholeBatchExitLayer`.
 * Cost: 3 x hidden size MACs per sample (a dot product and two squared norms).
 */
export const similarityGate = defineGate({
  name: 'similarity',
  description: 'Exit when the cosine between a layer output and its input, cos(h_l, h_{l-1}), reaches the threshold.',
  options: noOptions,
  needs: ['similarity'],
  range: { min: -1, max: 1 },
  defaultThreshold: 0.99,
  macs: (exit, context) => 3 * (context.hiddenSizes?.[exit] ?? 0),
  score: () => (signal) => {
    const { similarity, batch } = signal;
    if (!similarity || similarity.length !== batch) {
      throw new ArgumentError({
        field: `signal.similarity at exit ${signal.exit}`,
        expected: `${batch} cosines (one per sample)`,
        received: similarity ? `${similarity.length} values` : 'none',
      });
    }
    return Float32Array.from(similarity);
  },
});
