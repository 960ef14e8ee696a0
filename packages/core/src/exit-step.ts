import type { Engine } from './engine.js';
import type { Gate } from './gate.js';
import { argmaxRows, softmaxRows, takeRows } from './math.js';
import { buildSignal, type NeedFlags, scoreSignal } from './needs.js';
import type { ExitPolicy } from './policy.js';
import type { ExitRecord, ExitSignal } from './signal.js';

/** What the runner knows about the rows that reached exit `exit`. */
export interface ExitStepInput {
  readonly gate: Gate;
  readonly flags: NeedFlags;
  readonly exit: number;
  readonly exits: number;
  readonly classes: number;
  /** The threshold of this exit (ignored at the last exit, where every row leaves). */
  readonly threshold: number;
  /** Normalised cost of this exit. */
  readonly cost: number;
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  /** The stage's features on the host, row-aligned (when the gate needs hidden states or similarity). */
  readonly hidden?: Float32Array;
  /** The previous stage's features (the input before stage 0), row-aligned, for similarity. */
  readonly previousHidden?: Float32Array;
  /** Outputs of the earlier exits for these rows, row-aligned. */
  readonly history: readonly ExitRecord[];
}

/** 1 for each row that leaves at this exit: score >= threshold, or every row at the last exit. */
export function leavingRows(step: ExitStepInput): Uint8Array {
  const n = step.logits.length / step.classes;
  if (step.exit === step.exits - 1) return new Uint8Array(n).fill(1);
  const signal = buildSignal(
    {
      exit: step.exit,
      exits: step.exits,
      batch: n,
      classes: step.classes,
      logits: step.logits,
      probs: step.probs,
      cost: step.cost,
    },
    step.flags,
    {
      ...(step.hidden ? { hidden: step.hidden } : {}),
      ...(step.previousHidden ? { previousHidden: step.previousHidden } : {}),
      history: step.history,
    },
  );
  return decideRows(step.gate, signal, step.threshold).leaving;
}

/**
 * The gate's decision on a signal, for runners that build signals of their own (token decoding,
 * encoder streams): its scores (checked: one per row) and 1 for each row with score >= threshold.
 */
export function decideRows(gate: Gate, signal: ExitSignal, threshold: number): { scores: Float32Array; leaving: Uint8Array } {
  const scores = scoreSignal(gate, signal);
  const leaving = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) leaving[i] = leaves(scores[i]!, threshold) ? 1 : 0;
  return { scores, leaving };
}

/** The exit rule of every runner, written once: a row leaves when its score reaches the threshold. */
export function leaves(score: number, threshold: number): boolean {
  return score >= threshold;
}

/**
 * The history the staying rows carry to the next exit: the earlier records and this exit's, each
 * cut down to the rows in `stay` (all rows when `stay` holds all `n`).
 */
export function nextHistory(
  history: readonly ExitRecord[],
  record: ExitRecord,
  stay: readonly number[],
  n: number,
  classes: number,
): ExitRecord[] {
  const all = [...history, record];
  if (stay.length === n) return all;
  return all.map((r) => ({
    exit: r.exit,
    logits: takeRows(r.logits, classes, stay),
    probs: takeRows(r.probs, classes, stay),
  }));
}

/** What one exit decided for the rows that reached it (row-aligned with them). */
export interface ExitDecision {
  readonly logits: Float32Array;
  readonly probs: Float32Array;
  readonly predicted: Int32Array;
  /** 1 for each row that leaves at this exit. */
  readonly leaving: Uint8Array;
  /** The stage's features on the host, when the gate needs hidden states or similarity (never at the last exit). */
  readonly hidden?: Float32Array;
}

/**
 * One exit's step, shared by every runner: the head on the stage's output `h`, softmax, the
 * features on the host when the gate needs them, and the gate's decision per row. `rows` carries
 * the earlier exits' outputs and the previous stage's features of the same rows.
 */
export async function decideAtExit<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  exit: number,
  h: T,
  rows: { readonly history: readonly ExitRecord[]; readonly previousHidden?: Float32Array | undefined },
): Promise<ExitDecision> {
  const { exits, classes } = engine;
  const logits = await engine.runHead(exit, h);
  const probs = softmaxRows(logits, classes);
  const wantsHidden = (policy.needs.hidden || policy.needs.similarity) && exit < exits - 1;
  const hidden = wantsHidden ? await engine.toHost(h) : undefined;
  const leaving = leavingRows({
    gate: policy.gate,
    flags: policy.needs,
    exit,
    exits,
    classes,
    threshold: policy.thresholds[exit] ?? 0,
    cost: policy.costs.normalized[exit]!,
    logits,
    probs,
    ...(hidden ? { hidden } : {}),
    ...(rows.previousHidden ? { previousHidden: rows.previousHidden } : {}),
    history: rows.history,
  });
  return { logits, probs, predicted: argmaxRows(probs, classes), leaving, ...(hidden ? { hidden } : {}) };
}
