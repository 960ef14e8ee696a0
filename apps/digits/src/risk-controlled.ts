import { riskControlledThresholds, type RiskName } from '@offramp/calibration';
import {
  argmaxRows,
  type Engine,
  type ExitSummary,
  evaluateTrace,
  type Gate,
  resultFromExits,
  summarizeExits,
  type Trace,
  createExitPolicy,
} from '@offramp/core';
import { checkRunner, gateCosts, type SplitTraces } from './evaluate-gate.js';

export interface RiskControlSettings {
  readonly risk: RiskName;
  readonly epsilon: number;
  readonly delta: number;
}

/** Thresholds certified on validation by Learn-then-Test, and what they give on the test set. */
export interface RiskControlledReport {
  readonly gate: string;
  readonly mode: 'shared' | 'per-exit';
  readonly risk: RiskName;
  readonly epsilon: number;
  readonly delta: number;
  /** Per gated exit; null when nothing was certified (then the full model runs). */
  readonly thresholds: number[] | null;
  readonly validation: { readonly empiricalRisk: number | null; readonly pValue: number | null; readonly tested: number };
  readonly test: ExitSummary;
  /** The controlled loss measured on the test set. */
  readonly testRisk: number;
  readonly runnerAgreement: { readonly agreed: number; readonly samples: number } | null;
}

/** Mean 0/1 loss of `risk` for predictions at `exit` against the last exit and the labels. */
function measuredRisk(trace: Trace, labels: Int32Array, exit: Int32Array, risk: RiskName): number {
  const predictions = trace.probs.map((p) => argmaxRows(p, trace.classes));
  const last = predictions[trace.exits - 1]!;
  let losses = 0;
  for (let i = 0; i < trace.n; i++) {
    const early = predictions[exit[i]!]![i]!;
    if (risk === 'disagreement') losses += early !== last[i] ? 1 : 0;
    else if (risk === 'error') losses += early !== labels[i] ? 1 : 0;
    else losses += early !== labels[i] && last[i] === labels[i] ? 1 : 0;
  }
  return losses / trace.n;
}

/** Certifies shared or per-exit thresholds of `gate` on validation and evaluates them on test. */
export async function riskControlledGate<T>(
  gate: Gate,
  splits: SplitTraces,
  macs: { stageMacs: readonly number[]; headMacs: readonly number[] },
  settings: RiskControlSettings,
  mode: 'shared' | 'per-exit',
  engine: Engine<T> | null,
): Promise<RiskControlledReport> {
  const costs = gateCosts(gate, macs.stageMacs, macs.headMacs);
  const { validation, test } = splits;
  const certified = riskControlledThresholds(validation.trace, gate, costs, {
    ...settings,
    labels: validation.labels,
    mode,
  });
  const { thresholds } = certified;
  const result = thresholds
    ? evaluateTrace(test.trace, gate, thresholds, costs)
    : resultFromExits(test.trace, new Int32Array(test.trace.n).fill(test.trace.exits - 1), costs);
  return {
    gate: gate.name,
    mode,
    ...settings,
    thresholds,
    validation: { empiricalRisk: certified.empiricalRisk, pValue: certified.pValueAtChoice, tested: certified.tested },
    test: summarizeExits(result, costs, test.labels),
    testRisk: measuredRisk(test.trace, test.labels, result.exit, settings.risk),
    runnerAgreement: engine && thresholds ? await checkRunner(engine, createExitPolicy({ gate, thresholds, costs }), test) : null,
  };
}
