import { defineGate } from '@offramp/core';
import { topTwoMargin } from './features.js';
import { marginGraph } from './graph/probability-features.js';
import { noOptions } from './no-options.js';

/**
 * margin: score = p(1) - p(2), the gap between the two largest probabilities, in [0, 1];
 * default threshold 0.5. Cost: 2C MACs per sample (top-two search).
 */
export const marginGate = defineGate({
  name: 'margin',
  description: 'Exit when the gap p(1) - p(2) between the two top probabilities reaches the threshold.',
  options: noOptions,
  range: { min: 0, max: 1 },
  defaultThreshold: 0.5,
  macs: (_exit, context) => 2 * context.classes,
  score: () => (signal) => topTwoMargin(signal.probs, signal.classes),
  onnx: () => (g, { probs, classes }) => ({ score: marginGraph(g, probs, classes) }),
});
