import { ArgumentError } from './errors.js';
import type { Gate } from './gate.js';
import { cosineRows } from './math.js';
import type { ExitRecord, ExitSignal } from './signal.js';

/** Which extras a gate asks for. */
export interface NeedFlags {
  readonly hidden: boolean;
  readonly similarity: boolean;
  readonly history: boolean;
}

export function needFlags(gate: Gate): NeedFlags {
  return {
    hidden: gate.needs.includes('hidden'),
    similarity: gate.needs.includes('similarity'),
    history: gate.needs.includes('history'),
  };
}

/** The parts of a signal beyond logits and probabilities. */
export interface SignalExtras {
  readonly hidden?: Float32Array;
  readonly previousHidden?: Float32Array;
  readonly history?: readonly ExitRecord[];
}

/** Assembles an ExitSignal with only what the gate needs. */
export function buildSignal(
  base: Omit<ExitSignal, 'hidden' | 'hiddenSize' | 'similarity' | 'history'>,
  flags: NeedFlags,
  extras: SignalExtras,
): ExitSignal {
  const signal: {
    -readonly [K in keyof ExitSignal]: ExitSignal[K];
  } = { ...base };
  if ((flags.hidden || flags.similarity) && extras.hidden) {
    const hiddenSize = extras.hidden.length / base.batch;
    if (flags.hidden) {
      signal.hidden = extras.hidden;
      signal.hiddenSize = hiddenSize;
    }
    if (flags.similarity && extras.previousHidden) {
      signal.similarity = similarityRows(extras.hidden, extras.previousHidden, base.batch);
    }
  }
  if (flags.history) signal.history = extras.history ?? [];
  return signal;
}

/** Calls the gate and checks that it gave one score per sample. */
export function scoreSignal(gate: Gate, signal: ExitSignal): Float32Array {
  const scores = gate.score(signal);
  if (!(scores instanceof Float32Array) || scores.length !== signal.batch) {
    throw new ArgumentError({
      field: `gate ${JSON.stringify(gate.name)} score at exit ${signal.exit}`,
      expected: `a Float32Array of ${signal.batch} scores`,
      received: scores instanceof Float32Array ? `${scores.length} scores` : typeof scores,
    });
  }
  return scores;
}

/**
 * cos(h_l, h_{l-1}) per sample. States of different sizes (e.g. the raw input before the first
 * stage) are not comparable: their similarity is 0, so a similarity gate never exits there.
 */
export function similarityRows(hidden: Float32Array, previous: Float32Array, batch: number): Float32Array {
  const size = hidden.length / batch;
  if (previous.length / batch !== size) return new Float32Array(batch);
  return cosineRows(hidden, previous, size);
}
