import type { GateGraph, GateGraphInputs, GateGraphOutputs } from '@offramp/core';

/**
 * patience as graph operators. Per-row state int64 [n, 2]: the previous exit's predicted class and
 * its agreement streak. The streak at exit l is the previous streak + 1 when the prediction is the
 * previous one's, else 0 (0 at the first exit): the count `agreementStreak` makes from the history.
 */
export function patienceGraph(g: GateGraph, { probs, state }: GateGraphInputs): GateGraphOutputs {
  const current = g.node('ArgMax', [probs], { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 0 } });
  const zero = g.constant(0, 'int64');
  let streak: string;
  if (state === undefined) {
    streak = g.node('Mul', [current, zero]);
  } else {
    const column = (k: number) => g.node('Gather', [state, g.constant(k, 'int64')], { axis: { int: 1 } });
    const agrees = g.node('Equal', [current, column(0)]);
    streak = g.node('Where', [agrees, g.node('Add', [column(1), g.constant(1, 'int64')]), zero]);
  }
  const axis = g.constant([1], 'int64');
  const next = g.node('Concat', [g.node('Unsqueeze', [current, axis]), g.node('Unsqueeze', [streak, axis])], {
    axis: { int: 1 },
  });
  return { score: g.cast(streak, 'float32'), state: next };
}
