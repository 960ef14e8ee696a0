import { sweepThresholds, type ThresholdPoint } from '@offramp/calibration';
import { evaluateTrace, type ExitCosts, type Gate, summarizeExits, type Trace } from '@offramp/core';

/** One point of an accuracy-cost curve. */
export interface CurvePoint {
  /** Mean MACs relative to the plain backbone with only its final head. */
  readonly cost: number;
  readonly accuracy: number;
  readonly threshold: number;
}

/** What a gate at one threshold does on the trace. */
export interface OperatingPoint extends CurvePoint {
  readonly exitCounts: readonly number[];
  readonly meanMacs: number;
}

/** A gate's accuracy-cost curve on a labelled trace, sorted by cost. */
export interface GateCurve {
  readonly gate: string;
  readonly points: readonly CurvePoint[];
}

function curvePoint(p: ThresholdPoint): CurvePoint {
  return { cost: p.meanCostVsBackbone, accuracy: p.accuracy, threshold: p.threshold };
}

/** The gate's threshold sweep on the trace (quantiles of its scores, plus the full-model point). */
export function gateCurve(trace: Trace, labels: Int32Array, gate: Gate, costs: ExitCosts, candidates = 120): GateCurve {
  const curve = sweepThresholds(trace, gate, costs, labels, { candidates });
  return { gate: gate.name, points: curve.points.map(curvePoint) };
}

/** Accuracy, cost and exits of the gate at `threshold` on the trace (trace evaluation, as core defines it). */
export function operatingPoint(trace: Trace, labels: Int32Array, gate: Gate, threshold: number, costs: ExitCosts): OperatingPoint {
  const result = evaluateTrace(trace, gate, threshold, costs);
  const summary = summarizeExits(result, costs, labels);
  return {
    cost: summary.meanCostVsBackbone,
    accuracy: summary.accuracy ?? 0,
    threshold,
    exitCounts: summary.exitCounts,
    meanMacs: summary.meanMacs,
  };
}
