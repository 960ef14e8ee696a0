import type { Engine } from './engine.js';
import { ArgumentError, CountMismatchError } from './errors.js';
import { describeValue } from './gate.js';
import { decideAtExit, nextHistory } from './exit-step.js';
import type { ExitResultBuilder } from './exit-result-builder.js';
import { takeRows } from './math.js';
import type { ExitPolicy } from './policy.js';
import type { ExitRecord } from './signal.js';

/** Rows on their way into a stage, with what the gate needs about them, all row-aligned. */
export interface RowGroup<T> {
  /** The rows' input to the stage (an engine value). */
  readonly value: T;
  /** Index of each row's sample in the whole run or stream. */
  readonly samples: Int32Array;
  /** Outputs of the earlier exits for these rows (kept only when the gate needs history). */
  readonly history: readonly ExitRecord[];
  /** The previous stage's features of these rows (the input before stage 0), for similarity. */
  readonly previousHidden?: Float32Array;
}

/** What one stage did to a group: every row's outputs at this exit, which rows left, and the rest. */
export interface StageOutcome<T> {
  readonly exit: number;
  /** The group's samples, row-aligned with the arrays below. */
  readonly samples: Int32Array;
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  readonly predicted: Int32Array;
  /** 1 for each row the gate lets out here (every row at the last exit). */
  readonly leaving: Uint8Array;
  /** The rows that go on to the next stage, compacted; the caller owns its value. Undefined: nothing goes on. */
  survivors: RowGroup<T> | undefined;
}

export interface StageStepOptions {
  /**
   * Rows (indices into the group) that run on even though they leave here, e.g. requests sampled
   * to observe the later exits. Never consulted at the last exit.
   */
  readonly runsOn?: (row: number) => boolean;
}

/** Checks that a policy was fixed for a network with the engine's number of exits. */
export function checkPolicyFits<T>(engine: Engine<T>, policy: ExitPolicy): void {
  if (!policy || !(policy.thresholds instanceof Float64Array) || !policy.costs || !policy.gate) {
    throw new ArgumentError({
      field: 'policy',
      expected: 'an ExitPolicy { gate, needs, thresholds, costs } (made by createExitPolicy or resolvePolicy)',
      received: describeValue(policy),
    });
  }
  const classes = policy.gate.context?.classes;
  if (classes !== undefined && classes !== engine.classes) {
    throw new CountMismatchError({
      field: 'policy.gate',
      expected: `a gate created for ${engine.classes} classes (as the engine has)`,
      received: `gate ${JSON.stringify(policy.gate.name)} created for ${classes} classes`,
    });
  }
  if (policy.costs.exits !== engine.exits) {
    throw new CountMismatchError({
      field: 'policy.costs.exits',
      expected: `${engine.exits} exits (as the engine has)`,
      received: String(policy.costs.exits),
    });
  }
}

/** `batch` new rows for stage 0, numbered from `firstSample`; the caller owns the group's value. */
export async function enterRows<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  input: Float32Array,
  batch: number,
  firstSample = 0,
): Promise<RowGroup<T>> {
  const value = await engine.fromHost(input, batch);
  const samples = new Int32Array(batch);
  for (let i = 0; i < batch; i++) samples[i] = firstSample + i;
  return policy.needs.similarity ? { value, samples, history: NO_HISTORY, previousHidden: input } : { value, samples, history: NO_HISTORY };
}

/**
 * One stage of early exit, the step every runner takes: runs stage `stage` on the group, decides
 * at its exit (head, softmax, the gate's score, `score >= threshold`), and compacts the rows that
 * go on with their history and features. Owns the group's value: it is disposed here, also when a
 * call fails, as is every intermediate value.
 */
export async function runStageStep<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  stage: number,
  group: RowGroup<T>,
  options: StageStepOptions = {},
): Promise<StageOutcome<T>> {
  let h: T | undefined;
  try {
    h = await engine.runStage(stage, group.value);
  } finally {
    engine.dispose(group.value);
  }
  try {
    const decision = await decideAtExit(engine, policy, stage, h, group);
    const { logits, probs, leaving, hidden } = decision;
    const n = group.samples.length;
    const stay: number[] = [];
    if (stage < engine.exits - 1) {
      const runsOn = options.runsOn;
      for (let i = 0; i < n; i++) if (!leaving[i] || runsOn?.(i)) stay.push(i);
    }
    const outcome: StageOutcome<T> = {
      exit: stage,
      samples: group.samples,
      logits,
      probs,
      predicted: decision.predicted,
      leaving,
      survivors: undefined,
    };
    if (stay.length === 0) return outcome;
    const keep = stay.length < n ? Int32Array.from(stay) : undefined;
    const value = keep === undefined ? h : await engine.take(h, keep);
    if (value !== h) engine.dispose(h);
    h = undefined;
    try {
      const survivors: RowGroup<T> = {
        value,
        samples: keep === undefined ? group.samples : takeSamples(group.samples, keep),
        history: policy.needs.history ? nextHistory(group.history, { exit: stage, logits, probs }, stay, n, engine.classes) : NO_HISTORY,
      };
      if (policy.needs.similarity && hidden) {
        (survivors as { previousHidden?: Float32Array }).previousHidden = keep === undefined ? hidden : takeRows(hidden, hidden.length / n, keep);
      }
      outcome.survivors = survivors;
      return outcome;
    } catch (error) {
      engine.dispose(value);
      throw error;
    }
  } finally {
    if (h !== undefined) engine.dispose(h);
  }
}

const NO_HISTORY: readonly ExitRecord[] = Object.freeze([]);

function takeSamples(samples: Int32Array, keep: Int32Array): Int32Array {
  const out = new Int32Array(keep.length);
  for (let i = 0; i < keep.length; i++) out[i] = samples[keep[i]!]!;
  return out;
}

/** Writes the rows that left at this stage into the result. */
export function recordLeavers<T>(outcome: StageOutcome<T>, out: ExitResultBuilder): void {
  const { samples, leaving, predicted, probs, logits, exit } = outcome;
  for (let i = 0; i < samples.length; i++) {
    if (leaving[i]) out.set(samples[i]!, exit, predicted[i]!, probs, logits, i);
  }
}
