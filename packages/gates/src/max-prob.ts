import { defineGate } from '@offramp/core';
import { maxProb } from './features.js';
import { maxProbGraph } from './graph/probability-features.js';
import { noOptions } from './no-options.js';

/**
 * max-prob: score = max_c p_c, in [0, 1]; default threshold 0.9.
 * Cost: C MACs per sample (one comparison per class).
 */
export const maxProbGate = defineGate({
  name: 'max-prob',
  description: 'Exit when the top probability max_c p_c reaches the threshold.',
  options: noOptions,
  range: { min: 0, max: 1 },
  defaultThreshold: 0.9,
  macs: (_exit, context) => context.classes,
  score: () => (signal) => maxProb(signal.probs, signal.classes),
  onnx: () => (g, { probs }) => ({ score: maxProbGraph(g, probs) }),
});
