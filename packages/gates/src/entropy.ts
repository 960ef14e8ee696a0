import { defineGate } from '@offramp/core';
import { normalizedEntropy } from './features.js';
import { entropyGraph, normalizedGraph, oneMinusGraph } from './graph/probability-features.js';
import { noOptions } from './no-options.js';

/**
 * entropy (DeeBERT): score = 1 - H(p) / ln C, in [0, 1]; default threshold 0.8.
 * score >= t exactly when H(p) <= (1 - t) ln C (see `entropyToScoreThreshold`).
 * Cost: 2C MACs per sample (a logarithm and a multiply-accumulate per class).
 */
export const entropyGate = defineGate({
  name: 'entropy',
  description: 'Exit when the normalised entropy is low: score 1 - H(p) / ln C reaches the threshold.',
  options: noOptions,
  range: { min: 0, max: 1 },
  defaultThreshold: 0.8,
  macs: (_exit, context) => 2 * context.classes,
  score: () => (signal) => {
    const h = normalizedEntropy(signal.probs, signal.classes);
    for (let i = 0; i < h.length; i++) h[i] = 1 - h[i]!;
    return h;
  },
  onnx: () => (g, { probs, classes }) => ({
    score: oneMinusGraph(g, normalizedGraph(g, entropyGraph(g, probs), classes)),
  }),
});
