import { defineGate } from '@offramp/core';
import { normalizedPowerEntropy } from './features.js';
import { normalizedGraph, oneMinusGraph, powerEntropyGraph } from './graph/probability-features.js';
import { noOptions } from './no-options.js';

/**
 * power-entropy: q = p^2 / sum p^2, score = 1 - H(q) / ln C, in [0, 1]; default threshold 0.8.
 * Cost: 4C MACs per sample (square and sum, normalise, then a logarithm and a multiply-accumulate).
 */
export const powerEntropyGate = defineGate({
  name: 'power-entropy',
  description: 'Exit when the entropy of the sharpened distribution p^2 / sum p^2 is low (score 1 - H(q) / ln C).',
  options: noOptions,
  range: { min: 0, max: 1 },
  defaultThreshold: 0.8,
  macs: (_exit, context) => 4 * context.classes,
  score: () => (signal) => {
    const h = normalizedPowerEntropy(signal.probs, signal.classes);
    for (let i = 0; i < h.length; i++) h[i] = 1 - h[i]!;
    return h;
  },
  onnx: () => (g, { probs, classes }) => ({
    score: oneMinusGraph(g, normalizedGraph(g, powerEntropyGraph(g, probs), classes)),
  }),
});
