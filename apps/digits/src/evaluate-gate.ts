import { chooseOperatingPoint, sweepThresholds, type ThresholdCurve } from '@offramp/calibration';
import {
  computeExitCosts,
  type Engine,
  type ExitCosts,
  type ExitSummary,
  evaluateTrace,
  type Gate,
  runEarlyExit,
  summarizeExits,
  type Trace,
  createExitPolicy,
  type ExitPolicy,
} from '@offramp/core';

export interface SplitTraces {
  readonly validation: { readonly trace: Trace; readonly labels: Int32Array };
  readonly test: { readonly trace: Trace; readonly labels: Int32Array; readonly images: Float32Array };
}

export interface GateReport {
  readonly gate: string;
  /** Shared threshold chosen on validation: the cheapest within `maxDrop` of the full model; null if none. */
  readonly threshold: number | null;
  readonly validation: ExitSummary | null;
  /** Test-set outcome at the chosen threshold. */
  readonly test: ExitSummary | null;
  /** Whether the test accuracy stayed within maxDrop of the full model's test accuracy. */
  readonly withinTargetOnTest: boolean | null;
  /** The whole accuracy-cost curve on the test set (thresholds from the test scores). */
  readonly testCurve: ThresholdCurve;
  /** Samples where real early exit (batch 128) gave the same exit and prediction as trace evaluation. */
  readonly runnerAgreement: { readonly agreed: number; readonly samples: number } | null;
}

export function gateCosts(gate: Gate, stageMacs: readonly number[], headMacs: readonly number[]): ExitCosts {
  return computeExitCosts({ stageMacs, headMacs, gateMacs: stageMacs.map((_, l) => gate.macs(l)) });
}

/** Runs real early exit on the test images (batches of 128) and counts agreement with trace evaluation. */
export async function checkRunner<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  split: SplitTraces['test'],
): Promise<{ agreed: number; samples: number }> {
  const expected = evaluateTrace(split.trace, policy.gate, policy.thresholds, policy.costs);
  const n = split.trace.n;
  const perSample = split.images.length / n;
  const batch = 128;
  let agreed = 0;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const input = split.images.subarray(start * perSample, (start + count) * perSample);
    const result = await runEarlyExit(engine, policy, input, count);
    for (let i = 0; i < count; i++) {
      if (result.exit[i] === expected.exit[start + i] && result.prediction[i] === expected.prediction[start + i]) agreed++;
    }
  }
  return { agreed, samples: n };
}

/**
 * Chooses the gate's shared threshold on validation (the cheapest point within maxDrop of the full
 * model's validation accuracy), reports it on the test set, and checks the real runner against the trace.
 */
export async function evaluateGate<T>(
  gate: Gate,
  splits: SplitTraces,
  macs: { stageMacs: readonly number[]; headMacs: readonly number[] },
  reference: { validation: number; test: number },
  maxDrop: number,
  engine: Engine<T> | null,
): Promise<GateReport> {
  const costs = gateCosts(gate, macs.stageMacs, macs.headMacs);
  const validationCurve = sweepThresholds(splits.validation.trace, gate, costs, splits.validation.labels);
  const point = chooseOperatingPoint(validationCurve, { reference: reference.validation, maxDrop });
  const testCurve = sweepThresholds(splits.test.trace, gate, costs, splits.test.labels);
  if (!point) {
    return { gate: gate.name, threshold: null, validation: null, test: null, withinTargetOnTest: null, testCurve, runnerAgreement: null };
  }
  const testResult = evaluateTrace(splits.test.trace, gate, point.threshold, costs);
  const test = summarizeExits(testResult, costs, splits.test.labels);
  const validation = summarizeExits(
    evaluateTrace(splits.validation.trace, gate, point.threshold, costs),
    costs,
    splits.validation.labels,
  );
  return {
    gate: gate.name,
    threshold: point.threshold,
    validation,
    test,
    withinTargetOnTest: (test.accuracy ?? 0) >= reference.test - maxDrop - 1e-12,
    testCurve,
    runnerAgreement: engine ? await checkRunner(engine, createExitPolicy({ gate, thresholds: point.threshold, costs }), splits.test) : null,
  };
}
