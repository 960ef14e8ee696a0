import type { GateGraph } from '@offramp/core';

/*
 * The uncertainty features of features.ts as graph operators, value for value: each is computed in
 * float64 from the float32 probabilities and rounded to float32 where the JS code stores a
 * Float32Array. Inputs are float32 [n, C]; outputs are [n].
 */

/** max_c p_c, float32 [n]. */
export function maxProbGraph(g: GateGraph, probs: string): string {
  return g.node('ReduceMax', [probs], { axes: { ints: [1] }, keepdims: { int: 0 } });
}

/** p(1) - p(2), float32 [n] (p(1) when there is one class). */
export function marginGraph(g: GateGraph, probs: string, classes: number): string {
  if (classes < 2) return maxProbGraph(g, probs);
  const [top] = g.nodeOutputs('TopK', [probs, g.constant([2], 'int64')], { axis: { int: 1 } }, 2);
  const pick = (k: number) => g.cast(g.node('Gather', [top!, g.constant(k, 'int64')], { axis: { int: 1 } }), 'float64');
  return g.cast(g.node('Sub', [pick(0), pick(1)]), 'float32');
}

/** -sum_c p_c ln p_c over the last axis of float64 [n, C] values, with 0 ln 0 = 0: float64 [n]. */
function entropyOf(g: GateGraph, p: string): string {
  const terms = g.node('Mul', [p, g.node('Log', [p])]);
  const zero = g.constant(0, 'float64');
  const kept = g.node('Where', [g.node('Greater', [p, zero]), terms, zero]);
  return g.node('Neg', [g.node('ReduceSum', [kept, g.constant([1], 'int64')], { keepdims: { int: 0 } })]);
}

/** H(p) in nats, float64 [n] (rounded by the caller where the JS code stores it). */
export function entropyGraph(g: GateGraph, probs: string): string {
  return entropyOf(g, g.cast(probs, 'float64'));
}

/** H(p^2 / sum p^2) in nats (0 for a row of zeros), float64 [n]. */
export function powerEntropyGraph(g: GateGraph, probs: string): string {
  const p = g.cast(probs, 'float64');
  const squares = g.node('Mul', [p, p]);
  const axis = g.constant([1], 'int64');
  const norm = g.node('ReduceSum', [squares, axis], { keepdims: { int: 1 } });
  const h = entropyOf(g, g.node('Div', [squares, norm]));
  const zero = g.constant(0, 'float64');
  return g.node('Where', [g.node('Greater', [g.node('Squeeze', [norm, axis]), zero]), h, zero]);
}

/** An entropy (float64 [n]) divided by ln C and clamped to [0, 1], float32 [n] (0 when C = 1). */
export function normalizedGraph(g: GateGraph, h: string, classes: number): string {
  if (classes < 2) return g.node('Mul', [g.cast(h, 'float32'), g.constant(0, 'float32')]);
  const scaled = g.node('Div', [h, g.constant(Math.log(classes), 'float64')]);
  const clamped = g.node('Min', [g.node('Max', [scaled, g.constant(0, 'float64')]), g.constant(1, 'float64')]);
  return g.cast(clamped, 'float32');
}

/** 1 - x for float32 [n] values x, computed in float64 and rounded, as `h[i] = 1 - h[i]` on a Float32Array. */
export function oneMinusGraph(g: GateGraph, x: string): string {
  return g.cast(g.node('Sub', [g.constant(1, 'float64'), g.cast(x, 'float64')]), 'float32');
}
