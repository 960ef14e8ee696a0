import { type ConformalReport, type ConformalScoreName, evaluateConformal, perExitConformal } from '@offramp/calibration';
import { evaluateTrace, type ExitCosts, type Gate } from '@offramp/core';
import type { SplitTraces } from './evaluate-gate.js';

/** Per-exit conformal prediction sets at a gate's operating point, for several alphas and scores. */
export interface ConformalSetsReport {
  readonly gate: string;
  readonly threshold: number;
  /** Validation samples the gate sends to each exit, and whether that exit fell back to all of them at its head. */
  readonly calibrationCounts: readonly number[];
  readonly fallback: readonly boolean[];
  readonly results: ReadonlyArray<{ readonly score: ConformalScoreName; readonly report: ConformalReport }>;
}

/**
 * Calibrates per-exit quantiles on the validation samples (each at the exit the gate sends it to) and
 * reports mean set size and coverage of the test samples' sets.
 */
export function conformalSets(
  gate: Gate,
  threshold: number,
  costs: ExitCosts,
  splits: SplitTraces,
  alphas: readonly number[],
): ConformalSetsReport {
  const at = (split: { trace: SplitTraces['test']['trace']; labels: Int32Array }) => ({
    probs: split.trace.probs,
    labels: split.labels,
    exits: evaluateTrace(split.trace, gate, threshold, costs).exit,
  });
  const calibration = at(splits.validation);
  const test = at(splits.test);
  const quantiles = (['lac', 'aps', 'raps'] as const).flatMap((score) =>
    alphas.map((alpha) => ({ score, conformal: perExitConformal({ calibration, alpha, score, randomized: score !== 'lac', seed: 7 }) })),
  );
  const first = quantiles[0]!.conformal;
  return {
    gate: gate.name,
    threshold,
    calibrationCounts: first.exitCounts,
    fallback: first.fallback,
    results: quantiles.map(({ score, conformal }) => ({ score, report: evaluateConformal(conformal, test) })),
  };
}
