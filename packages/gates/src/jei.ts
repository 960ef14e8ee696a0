import { ArgumentError, defineGate, type ExitSignal } from '@offramp/core';
import { z } from 'zod';
import { jeiGraph } from './graph/jei-graph.js';
import { checkJeiGateWeights, exitProbabilityAt, gateValues, type JeiGateWeights } from './jei-math.js';
import { UNCERTAINTY_FEATURE_COUNT, uncertaintyFeatures } from './uncertainty.js';

export const jeiGateOptions = z.strictObject({
  /** One row of 4 weights per exit before the last: [max p, H(p), p(1) - p(2), H(p^2 / sum p^2)]. */
  weights: z.array(z.array(z.number())),
  /** One bias per exit before the last. */
  biases: z.array(z.number()),
});

export type JeiGateOptions = z.infer<typeof jeiGateOptions>;

/**
 * Gate values g_k(x) = sigmoid(w_k . phi(p^k) + b_k) of every sample for the exits 0..exit, the earlier
 * exits read from the signal's history. Returns exit + 1 arrays of batch values.
 */
export function jeiGateValues(signal: ExitSignal, weights: JeiGateWeights): Float64Array[] {
  const history = signal.history;
  if (!history || history.length < signal.exit) {
    throw new ArgumentError({
      field: 'signal.history',
      expected: `the outputs of the ${signal.exit} earlier exits (the jei gate needs history)`,
      received: history ? `${history.length} exits` : 'undefined',
    });
  }
  const probsPerExit = [...history.slice(history.length - signal.exit).map((r) => r.probs), signal.probs];
  return probsPerExit.map((probs, k) =>
    gateValues(uncertaintyFeatures(probs, signal.classes), weights.weights[k]!, weights.biases[k]!),
  );
}

/**
 * jei (JEI-DNN, Regol et al. 2024): per exit l before the last a gate g_l = sigmoid(w_l . phi(p^l) + b_l) on
 * the four uncertainty features phi of the head's softmax; the exit distribution
 * pi_l = max(0, min(g_l, 1 - sum_{k<l} g_k)); score q_l = clip(pi_l / prod_{k<l} (1 - q_k), 0, 1), the
 * probability of exiting at l given that the sample got there. The paper's rule "exit at the first l with
 * q_l >= 0.5" is this gate at its default threshold 0.5. Needs `history` (the earlier exits' probabilities).
 * Cost at an exit: 9C for the features (max C, entropy 2C, margin 2C, power entropy 4C) + 4 for the dot
 * product + 8 for the pi and q recursion; the earlier exits' gate values are kept, not recomputed.
 */
export const jeiGate = defineGate({
  name: 'jei',
  description: 'JEI-DNN learned gate: sigmoid of the uncertainty features, exit when q_l = pi_l / P(reach l) >= 0.5.',
  options: jeiGateOptions,
  needs: ['history'],
  range: { min: 0, max: 1 },
  defaultThreshold: 0.5,
  macs: (_exit, context) => 9 * context.classes + UNCERTAINTY_FEATURE_COUNT + 8,
  score: (options, context) => {
    checkJeiGateWeights(options, context.exits);
    return (signal) => {
      const values = jeiGateValues(signal, options);
      const scores = new Float32Array(signal.batch);
      const row = new Float64Array(values.length);
      for (let i = 0; i < signal.batch; i++) {
        for (let k = 0; k < values.length; k++) row[k] = values[k]![i]!;
        scores[i] = exitProbabilityAt(row);
      }
      return scores;
    };
  },
  onnx: (options) => jeiGraph(options),
});
