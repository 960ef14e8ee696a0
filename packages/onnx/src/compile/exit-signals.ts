import type { FeatureSpec } from '../feature.js';
import type { GraphBuilder } from '../graph-builder.js';

/**
 * Row-wise softmax of float32 logits [n, C], computed in float64 and rounded to float32, as the JS
 * runners compute it (max, exp(z - max), sum, divide).
 */
export function softmaxProbs(b: GraphBuilder, logits: string): string {
  const z = b.cast(logits, 'float64');
  const max = b.node('ReduceMax', [z], { axes: { ints: [1] }, keepdims: { int: 1 } });
  const e = b.node('Exp', [b.node('Sub', [z, max])]);
  const sum = b.node('ReduceSum', [e, b.constant([1], 'int64')], { keepdims: { int: 1 } });
  return b.cast(b.node('Div', [e, sum]), 'float32');
}

/** A stage's features flattened per row in channels-last order ([n, size]), as the engines' `toHost` gives them. */
export function flatFeatures(b: GraphBuilder, h: string, feature: FeatureSpec): string {
  const source = feature.layout === 'NCHW' ? b.node('Transpose', [h], { perm: { ints: [0, 2, 3, 1] } }) : h;
  return b.node('Flatten', [source], { axis: { int: 1 } });
}

/** The row count of a [n, ...] tensor as an int64 vector [n] (a shape for Expand). */
export function rowsShape(b: GraphBuilder, x: string): string {
  return b.node('Shape', [x], { start: { int: 0 }, end: { int: 1 } });
}

/** A [n] vector holding `value` in every row, n the row count of `like`. */
export function fillRows(b: GraphBuilder, like: string, value: number, type: 'float32' | 'int32'): string {
  return b.node('Expand', [b.constant(value, type), rowsShape(b, like)]);
}

/** The index of each row's largest probability (the first on ties), int32 [n]. */
export function argmaxRows(b: GraphBuilder, probs: string): string {
  const index = b.node('ArgMax', [probs], { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 0 } });
  return b.cast(index, 'int32');
}
