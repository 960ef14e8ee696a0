import { ArgumentError, type ExitCosts, type Gate, type Trace } from '@offramp/core';
import { fullModelAccuracy } from './accuracy.js';
import { chooseOperatingPoint, chooseUnderBudget } from './choose.js';
import { type SweepOptions, sweepThresholds, type ThresholdPoint } from './sweep.js';

/**
 * What to select a shared threshold for:
 * - `{ budget }`: the most accurate point with mean normalised cost <= budget;
 * - `{ targetAccuracy }`: the cheapest point with accuracy >= targetAccuracy;
 * - `{ maxDrop, reference? }`: the cheapest point within maxDrop of `reference` (default: the accuracy of
 *   the full model on this trace).
 */
export type ThresholdGoal =
  | { readonly budget: number }
  | { readonly targetAccuracy: number }
  | { readonly maxDrop: number; readonly reference?: number };

/**
 * Sweeps one threshold shared by every gated exit of any gate on a labelled trace and picks the point
 * that meets `goal`, or null when none does. The full-model point (`fullModel: true`) can be picked.
 */
export function selectThreshold(
  trace: Trace,
  gate: Gate,
  costs: ExitCosts,
  labels: Int32Array,
  goal: ThresholdGoal,
  options: SweepOptions = {},
): ThresholdPoint | null {
  const curve = sweepThresholds(trace, gate, costs, labels, options);
  if ('budget' in goal) return chooseUnderBudget(curve, goal.budget);
  if ('targetAccuracy' in goal) return chooseOperatingPoint(curve, { reference: goal.targetAccuracy, maxDrop: 0 });
  if ('maxDrop' in goal) {
    return chooseOperatingPoint(curve, {
      reference: goal.reference ?? fullModelAccuracy(trace, labels),
      maxDrop: goal.maxDrop,
    });
  }
  throw new ArgumentError({
    field: 'goal',
    expected: '{ budget }, { targetAccuracy } or { maxDrop, reference? }',
    received: JSON.stringify(goal),
  });
}
