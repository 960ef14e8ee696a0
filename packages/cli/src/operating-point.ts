import { type ReliabilityBin, reliabilityDiagram, sweepThresholds } from '@offramp/calibration';
import { computeExitCosts, evaluateTrace, type ExitPolicy, type Gate, oracleExits, resultFromExits, summarizeExits, type Trace } from '@offramp/core';

/** Accuracy, mean MACs (and their ratio to the last exit's) and samples per exit of one way of exiting. */
export interface ExitingSummary {
  readonly accuracy: number;
  readonly meanMacs: number;
  readonly macsRatio: number;
  readonly exitCounts: readonly number[];
}

/** A reliability diagram's bins at one exit (top-label confidence against accuracy). */
export interface ExitReliability {
  readonly exit: number;
  /** Expected calibration error of the exit's top-label confidence. */
  readonly ece: number;
  readonly bins: readonly ReliabilityBin[];
}

/** How a policy does on a labelled trace, beside the last exit alone and the oracle. */
export interface TraceEvaluation {
  readonly samples: number;
  /** Every sample at the last exit. */
  readonly lastExit: ExitingSummary;
  /** The policy's thresholds. */
  readonly earlyExit: ExitingSummary;
  /** The first exit that is right, else the last: the best any gate could do with these heads. */
  readonly oracle: ExitingSummary;
  /** Accuracy of each exit's head on every sample. */
  readonly exitAccuracies: readonly number[];
  /** Accuracy against mean MACs (relative to the last exit) over a sweep of one shared threshold. */
  readonly curve: readonly { cost: number; accuracy: number }[];
  readonly reliability: readonly ExitReliability[];
  /** Per sample: the exit the policy takes and its prediction. */
  readonly exit: Int32Array;
  readonly prediction: Int32Array;
}

/** Samples on which two ways of running early exit chose a different exit or prediction (0 when they agree). */
export function disagreements(
  a: { readonly exit: ArrayLike<number>; readonly prediction: ArrayLike<number> },
  b: { readonly exit: ArrayLike<number>; readonly prediction: ArrayLike<number> },
): number {
  let count = 0;
  for (let i = 0; i < a.exit.length; i++) if (a.exit[i] !== b.exit[i] || a.prediction[i] !== b.prediction[i]) count++;
  return count;
}

/** Evaluates `policy` on a trace with labels: the numbers of results.json, `offramp eval` and the report. */
export function evaluateOnTrace(trace: Trace, policy: ExitPolicy, labels: Int32Array): TraceEvaluation {
  const { costs } = policy;
  const last = trace.exits - 1;
  const summary = (exit: Int32Array): ExitingSummary & { prediction: Int32Array } => {
    const result = resultFromExits(trace, exit, costs);
    const s = summarizeExits(result, costs, labels);
    return {
      accuracy: s.accuracy ?? 0,
      meanMacs: s.meanMacs,
      macsRatio: s.meanMacs / costs.cumulativeMacs[last]!,
      exitCounts: s.exitCounts,
      prediction: result.prediction,
    };
  };
  const early = evaluateTrace(trace, policy.gate, policy.thresholds, costs);
  const { prediction, ...earlyExit } = summary(early.exit);
  const { prediction: _l, ...lastExit } = summary(new Int32Array(trace.n).fill(last));
  const { prediction: _o, ...oracle } = summary(oracleExits(trace, labels));
  const exitAccuracies = Array.from({ length: trace.exits }, (_, l) => summary(new Int32Array(trace.n).fill(l)).accuracy);
  const curve = sweepThresholds(trace, policy.gate, costs, labels).points.map((p) => ({
    cost: p.meanMacs / costs.cumulativeMacs[last]!,
    accuracy: p.accuracy,
  }));
  const reliability = trace.probs.map((probs, exit) => {
    const diagram = reliabilityDiagram(probs, labels, { bins: 10 });
    return { exit, ece: diagram.ece, bins: diagram.bins };
  });
  return { samples: trace.n, lastExit, earlyExit, oracle, exitAccuracies, curve, reliability, exit: early.exit, prediction };
}

/**
 * Accuracy against measured time over the same threshold sweep: each exit costs the cumulative time
 * measured to it (`exitUs`), relative to the full graph's time per sample (`fullUs`).
 */
export function timeCurve(
  trace: Trace,
  gate: Gate,
  labels: Int32Array,
  exitUs: readonly number[],
  fullUs: number,
): { cost: number; accuracy: number }[] {
  const stageUs = exitUs.map((u, l) => u - (l === 0 ? 0 : exitUs[l - 1]!));
  const costs = computeExitCosts({ stageMacs: stageUs, headMacs: stageUs.map(() => 0), gateMacs: stageUs.map(() => 0) }, 'seconds');
  return sweepThresholds(trace, gate, costs, labels).points.map((p) => ({ cost: p.meanMacs / fullUs, accuracy: p.accuracy }));
}
