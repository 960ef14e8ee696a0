import { ArgumentError } from '@offramp/core';
import type { ThresholdCurve, ThresholdPoint } from './sweep.js';

/** Slack for comparing accuracies and costs computed in floating point (e.g. 0.98 - 0.005). */
const TOLERANCE = 1e-12;

export interface AccuracyTarget {
  /** Accuracy to stay close to, usually that of the full model (`fullModelAccuracy`), in [0, 1]. */
  readonly reference: number;
  /** Largest accuracy loss allowed, as a fraction (0.005 = half a percentage point), >= 0. */
  readonly maxDrop: number;
}

function checkFraction(value: number, field: string, upper: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= upper)) {
    throw new ArgumentError({
      field,
      expected: upper === 1 ? 'a number in [0, 1]' : 'a finite number >= 0',
      received: String(value),
    });
  }
}

/**
 * The cheapest point whose accuracy is at least `reference - maxDrop` (the more accurate one at
 * equal cost), or null when none is.
 */
export function chooseOperatingPoint(curve: ThresholdCurve, target: AccuracyTarget): ThresholdPoint | null {
  checkFraction(target.reference, 'reference', 1);
  checkFraction(target.maxDrop, 'maxDrop', Number.POSITIVE_INFINITY);
  const floor = target.reference - target.maxDrop - TOLERANCE;
  let chosen: ThresholdPoint | null = null;
  for (const point of curve.points) {
    if (point.accuracy < floor) continue;
    if (
      !chosen ||
      point.meanCost < chosen.meanCost ||
      (point.meanCost === chosen.meanCost && point.accuracy > chosen.accuracy)
    ) {
      chosen = point;
    }
  }
  return chosen;
}

/**
 * The most accurate point whose mean normalised cost is at most `maxCost` (the cheaper one at equal
 * accuracy), or null when none is.
 */
export function chooseUnderBudget(curve: ThresholdCurve, maxCost: number): ThresholdPoint | null {
  checkFraction(maxCost, 'maxCost', Number.POSITIVE_INFINITY);
  let chosen: ThresholdPoint | null = null;
  for (const point of curve.points) {
    if (point.meanCost > maxCost + TOLERANCE) continue;
    if (
      !chosen ||
      point.accuracy > chosen.accuracy ||
      (point.accuracy === chosen.accuracy && point.meanCost < chosen.meanCost)
    ) {
      chosen = point;
    }
  }
  return chosen;
}
