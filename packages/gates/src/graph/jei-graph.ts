import type { GateGraph, GateGraphInputs, GateGraphOutputs, GateLowering } from '@offramp/core';
import { checkJeiGateWeights, type JeiGateWeights } from '../jei-math.js';
import { entropyGraph, marginGraph, maxProbGraph, powerEntropyGraph } from './probability-features.js';
import { fillRowsGraph, sigmoidGraph } from './sigmoid.js';

/** The four uncertainty features of `uncertaintyFeatures`, each float32 [n]. */
function featuresGraph(g: GateGraph, probs: string, classes: number): string[] {
  return [
    maxProbGraph(g, probs),
    g.cast(entropyGraph(g, probs), 'float32'),
    marginGraph(g, probs, classes),
    g.cast(powerEntropyGraph(g, probs), 'float32'),
  ];
}

/**
 * jei as graph operators. g_l = sigmoid(b_l + sum_k w_lk phi_k) accumulated in the JS order; per-row
 * state float64 [n, 2] carries sum_{k<l} g_k and prod_{k<l} (1 - q_k) from exit to exit, so
 * q_l = clip(pi_l / prod, 0, 1) (1 when the product is <= 0) follows `exitProbabilityAt` step for step.
 * At the last exit the score is 1 (q_{L-1} = 1 by definition). Weights for another number of exits
 * than the graph's throw CountMismatchError.
 */
export function jeiGraph(weights: JeiGateWeights): GateLowering {
  return (g: GateGraph, { exit, exits, classes, probs, state }: GateGraphInputs): GateGraphOutputs => {
    checkJeiGateWeights(weights, exits);
    if (exit >= exits - 1) return { score: fillRowsGraph(g, probs, 1) };
    const f64 = (v: number) => g.constant(v, 'float64');
    let a = f64(weights.biases[exit]!);
    featuresGraph(g, probs, classes).forEach((feature, k) => {
      a = g.node('Add', [a, g.node('Mul', [f64(weights.weights[exit]![k]!), g.cast(feature, 'float64')])]);
    });
    const gate = sigmoidGraph(g, a);
    const column = (k: number) => g.node('Gather', [state!, g.constant(k, 'int64')], { axis: { int: 1 } });
    const gateSum = state === undefined ? f64(0) : column(0);
    const remaining = state === undefined ? f64(1) : column(1);
    const one = f64(1);
    const zero = f64(0);
    const pi = g.node('Max', [zero, g.node('Min', [gate, g.node('Sub', [one, gateSum])])]);
    const ratio = g.node('Min', [one, g.node('Max', [zero, g.node('Div', [pi, remaining])])]);
    const q = g.node('Where', [g.node('LessOrEqual', [remaining, zero]), one, ratio]);
    const axis = g.constant([1], 'int64');
    const nextSum = g.node('Unsqueeze', [g.node('Add', [gateSum, gate]), axis]);
    const nextRemaining = g.node('Unsqueeze', [g.node('Mul', [remaining, g.node('Sub', [one, q])]), axis]);
    return {
      score: g.cast(q, 'float32'),
      state: g.node('Concat', [nextSum, nextRemaining], { axis: { int: 1 } }),
    };
  };
}
