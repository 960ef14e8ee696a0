import { ArgumentError, CountMismatchError, type GateGraph, type GateGraphInputs, type GateGraphOutputs, type GateLowering, InputShapeError } from '@offramp/core';
import { sigmoidGraph } from './sigmoid.js';

/**
 * hidden-state as graph operators: sigmoid(w_l . h_l + b_l) in float64 on the flattened features
 * (channels-last, as the runners hand them to `score`), rounded to float32. The gate has no weights
 * at the last exit, so it gives no score there.
 */
export function hiddenStateGraph(options: { readonly weights: number[][]; readonly biases: number[] }): GateLowering {
  return (g: GateGraph, { exit, exits, hidden, hiddenSize }: GateGraphInputs): GateGraphOutputs => {
    if (options.weights.length !== exits - 1 || options.biases.length !== exits - 1) {
      throw new CountMismatchError({
        field: 'options.weights.length',
        expected: `${exits - 1} weight vectors and biases (one per exit before the last of ${exits} exits)`,
        received: `${options.weights.length} and ${options.biases.length}`,
      });
    }
    if (exit >= exits - 1) return {};
    if (hidden === undefined || hiddenSize === undefined) {
      throw new ArgumentError({
        field: 'inputs.hidden',
        expected: 'the hidden state (the hidden-state gate needs it)',
        received: 'undefined',
      });
    }
    const w = options.weights[exit]!;
    if (hiddenSize !== w.length) {
      throw new InputShapeError({
        field: `inputs.hiddenSize at exit ${exit}`,
        expected: `${w.length} (the gate's weight count)`,
        received: String(hiddenSize),
      });
    }
    const dot = g.node('MatMul', [g.cast(hidden, 'float64'), g.constant(w, 'float64')]);
    const a = g.node('Add', [dot, g.constant(options.biases[exit]!, 'float64')]);
    return { score: g.cast(sigmoidGraph(g, a), 'float32') };
  };
}
