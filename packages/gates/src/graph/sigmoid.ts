import type { GateGraph } from '@offramp/core';

/**
 * The logistic function of float64 [n] values as `sigmoid` in jei-math.ts computes it: 1 / (1 + e^-x)
 * for x >= 0, e^x / (1 + e^x) below (the branch not taken may overflow; Where drops it).
 */
export function sigmoidGraph(g: GateGraph, x: string): string {
  const one = g.constant(1, 'float64');
  const positive = g.node('Div', [one, g.node('Add', [one, g.node('Exp', [g.node('Neg', [x])])])]);
  const e = g.node('Exp', [x]);
  const negative = g.node('Div', [e, g.node('Add', [one, e])]);
  return g.node('Where', [g.node('GreaterOrEqual', [x, g.constant(0, 'float64')]), positive, negative]);
}

/** A float32 [n] vector holding `value` in every row, n the row count of `like` ([n, ...]). */
export function fillRowsGraph(g: GateGraph, like: string, value: number): string {
  const rows = g.node('Shape', [like], { start: { int: 0 }, end: { int: 1 } });
  return g.node('Expand', [g.constant(value, 'float32'), rows]);
}
