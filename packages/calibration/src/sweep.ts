import {
  ArgumentError,
  argmaxRows,
  CountMismatchError,
  type ExitCosts,
  exitsFromScores,
  type Gate,
  scoreTrace,
  summarizeExits,
  type Trace,
} from '@offramp/core';
import { checkLabels } from './labels.js';

/** What one threshold, shared by every gated exit, gives on a trace. */
export interface ThresholdPoint {
  /** The threshold at every exit before the last; `Infinity` for the full-model point. */
  readonly threshold: number;
  /** True for the point where no sample exits early (every sample runs to the last exit). */
  readonly fullModel: boolean;
  readonly accuracy: number;
  /** Mean normalised cost (1 = the full model with every head and gate). */
  readonly meanCost: number;
  readonly meanMacs: number;
  /** Mean cost relative to the plain backbone with only its final head. */
  readonly meanCostVsBackbone: number;
  /** Samples that left at each exit. */
  readonly exitCounts: number[];
}

/** Accuracy and cost of a gate over a range of thresholds, sorted by increasing cost. */
export interface ThresholdCurve {
  readonly gate: string;
  readonly points: ThresholdPoint[];
}

export interface SweepOptions {
  /** How many quantiles of the gate's scores to try as thresholds. Default 200. */
  readonly candidates?: number;
}

/** Sorted, distinct candidate thresholds: quantiles of the scores plus the ends of the range. */
function candidateThresholds(scores: readonly Float32Array[], gate: Gate, count: number): number[] {
  const pooled: number[] = [];
  for (const exitScores of scores) for (const s of exitScores) if (!Number.isNaN(s)) pooled.push(s);
  pooled.sort((a, b) => a - b);
  const { min, max } = gate.range;
  const values = new Set<number>([min, max]);
  if (pooled.length > 0) {
    for (let k = 0; k < count; k++) {
      const q = count === 1 ? 0.5 : k / (count - 1);
      const value = pooled[Math.round(q * (pooled.length - 1))]!;
      values.add(Math.min(max, Math.max(min, value)));
    }
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Sweeps one threshold shared by all gated exits over quantiles of the gate's scores on the trace
 * (plus the two ends of the gate's range), and adds the full-model point where no sample exits
 * early. The gate scores the trace once; each threshold only re-reads the scores.
 */
export function sweepThresholds(
  trace: Trace,
  gate: Gate,
  costs: ExitCosts,
  labels: Int32Array,
  options: SweepOptions = {},
): ThresholdCurve {
  checkLabels(trace, labels);
  if (costs.exits !== trace.exits) {
    throw new CountMismatchError({
      field: 'costs.exits',
      expected: `${trace.exits} exits (as the trace has)`,
      received: String(costs.exits),
    });
  }
  const candidates = options.candidates ?? 200;
  if (!Number.isInteger(candidates) || candidates < 1) {
    throw new ArgumentError({
      field: 'options.candidates',
      expected: 'a whole number >= 1',
      received: String(candidates),
    });
  }
  const scores = scoreTrace(trace, gate, costs);
  const predictions = trace.probs.map((probs) => argmaxRows(probs, trace.classes));
  const gated = trace.exits - 1;

  const pointAt = (threshold: number, fullModel: boolean): ThresholdPoint => {
    const exit = exitsFromScores(scores, new Float64Array(gated).fill(threshold), trace.n);
    const prediction = Int32Array.from(exit, (l, i) => predictions[l]![i]!);
    const summary = summarizeExits({ exit, prediction }, costs, labels);
    return {
      threshold,
      fullModel,
      accuracy: summary.accuracy!,
      meanCost: summary.meanCost,
      meanMacs: summary.meanMacs,
      meanCostVsBackbone: summary.meanCostVsBackbone,
      exitCounts: [...summary.exitCounts],
    };
  };

  const points = candidateThresholds(scores, gate, candidates).map((t) => pointAt(t, false));
  points.push(pointAt(Number.POSITIVE_INFINITY, true));
  // Cheapest first; at equal cost the more accurate; at equal results a finite threshold before the
  // full-model point (so choosing picks a threshold that can be deployed), then the higher threshold.
  points.sort(
    (a, b) =>
      a.meanCost - b.meanCost ||
      b.accuracy - a.accuracy ||
      Number(a.fullModel) - Number(b.fullModel) ||
      b.threshold - a.threshold,
  );
  return { gate: gate.name, points };
}
