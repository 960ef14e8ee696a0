import {
  argmaxRows,
  collectTrace,
  type Engine,
  type ExitPolicy,
  exitsFromScores,
  runEarlyExit,
  scoreTrace,
} from '@offramp/core';

/** One exit of the network for one input. */
export interface ExitRow {
  readonly exit: number;
  readonly prediction: number;
  /** The top probability. */
  readonly confidence: number;
  /** The gate's score; null at the last exit (no gate there). */
  readonly score: number | null;
  readonly threshold: number | null;
  /** MACs of every stage, head and gate up to this exit, relative to the plain backbone. */
  readonly costVsBackbone: number;
  readonly macs: number;
  /** Whether early exit ran this exit (it stops at the first exit whose score reaches the threshold). */
  readonly reached: boolean;
  readonly stopped: boolean;
}

/** What early exit did with one input, and what every exit would say. */
export interface Prediction {
  readonly prediction: number;
  readonly exit: number;
  readonly confidence: number;
  readonly costVsBackbone: number;
  readonly macs: number;
  /** Wall time of the early-exit run (runEarlyExit on the engine), in milliseconds. */
  readonly milliseconds: number;
  readonly rows: readonly ExitRow[];
  /** Whether the exit the runner took equals the one the gate's scores on every exit give. */
  readonly agrees: boolean;
}

/**
 * Runs real early exit (core's runEarlyExit) on one input and times it; then runs every stage once
 * more to show what each exit predicts and how the gate scores it, including the exits early exit
 * did not reach.
 */
export async function predictOne<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  image: Float32Array,
  now: () => number = () => performance.now(),
): Promise<Prediction> {
  const started = now();
  const result = await runEarlyExit(engine, policy, image, 1);
  const milliseconds = now() - started;
  const trace = await collectTrace(engine, image, 1);
  const scores = scoreTrace(trace, policy.gate, policy.costs);
  const exit = result.exit[0]!;
  const rows = trace.probs.map((probs, l): ExitRow => {
    const last = l === engine.exits - 1;
    return {
      exit: l,
      prediction: argmaxRows(probs, engine.classes)[0]!,
      confidence: Math.max(...probs),
      score: last ? null : scores[l]![0]!,
      threshold: last ? null : policy.thresholds[l]!,
      costVsBackbone: policy.costs.relativeToBackbone[l]!,
      macs: policy.costs.cumulativeMacs[l]!,
      reached: l <= exit,
      stopped: l === exit,
    };
  });
  const probs = result.probs.subarray(0, engine.classes);
  return {
    prediction: result.prediction[0]!,
    exit,
    confidence: Math.max(...probs),
    costVsBackbone: policy.costs.relativeToBackbone[exit]!,
    macs: result.macs[0]!,
    milliseconds,
    rows,
    agrees: exitsFromScores(scores, policy.thresholds, 1)[0] === exit,
  };
}
