import {
  chooseOperatingPoint,
  evaluateConformal,
  expectedCalibrationError,
  perExitConformal,
  sweepThresholds,
  type ThresholdCurve,
  type ThresholdPoint,
} from '@offramp/calibration';
import { type ExitCosts, type ExitResult, type ExitSummary, evaluateTrace, type Gate, resultFromExits, summarizeExits, type Trace } from '@offramp/core';

export interface LabelledTrace {
  readonly trace: Trace;
  readonly labels: Int32Array;
}

/** ECE of the prediction at the exit taken, 15 bins, both binnings. */
export interface ExitedEce {
  readonly mass: number;
  readonly width: number;
}

export interface ConformalRow {
  readonly alpha: number;
  readonly meanSetSize: number;
  readonly coverage: number;
}

/** A policy's outcome on the test set, with calibration of the exited prediction and per-exit conformal sets. */
export interface PolicyOutcome {
  readonly test: ExitSummary;
  readonly validation: ExitSummary;
  readonly ece: ExitedEce;
  readonly conformal: ConformalRow[];
}

/** ECE (15 equal-mass and 15 equal-width bins) of the exited predictions. */
export function exitedEce(result: ExitResult, labels: Int32Array): ExitedEce {
  return {
    mass: expectedCalibrationError(result.probs, labels, { bins: 15, binning: 'mass' }),
    width: expectedCalibrationError(result.probs, labels, { bins: 15, binning: 'width' }),
  };
}

/**
 * Per-exit split conformal sets (LAC): quantiles from the validation samples that took each exit, sets for the
 * test samples at the exit they took; mean set size and empirical coverage per alpha.
 */
export function conformalRows(
  validation: LabelledTrace,
  validationExits: Int32Array,
  test: LabelledTrace,
  testExits: Int32Array,
  alphas: readonly number[],
): ConformalRow[] {
  return alphas.map((alpha) => {
    const calibrated = perExitConformal({
      calibration: { probs: validation.trace.probs, labels: validation.labels, exits: validationExits },
      alpha,
      score: 'lac',
    });
    const report = evaluateConformal(calibrated, { probs: test.trace.probs, labels: test.labels, exits: testExits });
    return { alpha, meanSetSize: report.meanSetSize, coverage: report.coverage };
  });
}

/** Everything reported for a gate at given thresholds (Infinity: never exit early, the full model). */
export function evaluatePolicy(
  gate: Gate,
  thresholds: number,
  costs: ExitCosts,
  validation: LabelledTrace,
  test: LabelledTrace,
  alphas: readonly number[],
): PolicyOutcome & { readonly testExits: Int32Array } {
  const run = (split: LabelledTrace) =>
    thresholds === Number.POSITIVE_INFINITY
      ? resultFromExits(split.trace, new Int32Array(split.trace.n).fill(split.trace.exits - 1), costs)
      : evaluateTrace(split.trace, gate, thresholds, costs);
  const v = run(validation);
  const t = run(test);
  return {
    test: summarizeExits(t, costs, test.labels),
    validation: summarizeExits(v, costs, validation.labels),
    ece: exitedEce(t, test.labels),
    conformal: conformalRows(validation, v.exit, test, t.exit, alphas),
    testExits: t.exit,
  };
}

/** A threshold gate's curves and its operating point chosen on validation (cheapest within maxDrop of the full model). */
export interface ThresholdGateReport {
  readonly gate: string;
  readonly validationCurve: ThresholdCurve;
  readonly testCurve: ThresholdCurve;
  readonly threshold: number | null;
  readonly outcome: PolicyOutcome | null;
}

export function evaluateThresholdGate(
  gate: Gate,
  costs: ExitCosts,
  validation: LabelledTrace,
  test: LabelledTrace,
  reference: number,
  maxDrop: number,
  alphas: readonly number[],
): ThresholdGateReport {
  const validationCurve = sweepThresholds(validation.trace, gate, costs, validation.labels);
  const testCurve = sweepThresholds(test.trace, gate, costs, test.labels);
  const point = chooseOperatingPoint(validationCurve, { reference, maxDrop });
  if (!point) return { gate: gate.name, validationCurve, testCurve, threshold: null, outcome: null };
  const threshold = point.fullModel ? Number.POSITIVE_INFINITY : point.threshold;
  const { testExits: _, ...outcome } = evaluatePolicy(gate, threshold, costs, validation, test, alphas);
  return { gate: gate.name, validationCurve, testCurve, threshold: point.threshold, outcome };
}

/**
 * The most accurate validation point of a curve whose cost relative to the plain backbone is at most `budget`
 * (costs compared in MACs, so gates of different cost compare fairly).
 */
export function bestUnderBudget(curve: ThresholdCurve, budget: number): ThresholdPoint | null {
  let chosen: ThresholdPoint | null = null;
  for (const point of curve.points) {
    if (point.meanCostVsBackbone > budget + 1e-12) continue;
    if (!chosen || point.accuracy > chosen.accuracy || (point.accuracy === chosen.accuracy && point.meanCostVsBackbone < chosen.meanCostVsBackbone)) {
      chosen = point;
    }
  }
  return chosen;
}
