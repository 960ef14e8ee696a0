import { ArgumentError, createRng, type Rng } from '@offramp/core';
import { checkProbsAndLabels } from './probs-input.js';

export type ConformalScoreName = 'lac' | 'aps' | 'raps';

/** Which non-conformity score to use (ALGORITHMS.md section 5). */
export interface ConformalScoreOptions {
  /** 'lac': 1 - p_y; 'aps': probability of the labels ranked at or above y; 'raps': APS + lambda max(0, rank - kReg). */
  readonly score: ConformalScoreName;
  /** APS / RAPS: subtract U p_y with U uniform in [0, 1) drawn per sample from `seed`. Default false. */
  readonly randomized?: boolean;
  /** Seed of the uniform draws of randomised scores. Default 0. */
  readonly seed?: number;
  /** RAPS penalty per rank past kReg. Default 0.01. */
  readonly lambda?: number;
  /** RAPS: ranks up to kReg (1-based) go unpenalised. Default 1. */
  readonly kReg?: number;
}

export interface ResolvedScoreOptions {
  readonly score: ConformalScoreName;
  readonly randomized: boolean;
  readonly seed: number;
  readonly lambda: number;
  readonly kReg: number;
}

export function resolveScoreOptions(options: ConformalScoreOptions): ResolvedScoreOptions {
  const { score } = options;
  if (score !== 'lac' && score !== 'aps' && score !== 'raps') {
    throw new ArgumentError({ field: 'score', expected: "'lac', 'aps' or 'raps'", received: String(score) });
  }
  const randomized = options.randomized ?? false;
  if (randomized && score === 'lac') {
    throw new ArgumentError({ field: 'randomized', expected: "false for the 'lac' score", received: 'true' });
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new ArgumentError({ field: 'seed', expected: 'a whole number', received: String(seed) });
  const lambda = options.lambda ?? 0.01;
  if (!(Number.isFinite(lambda) && lambda >= 0)) {
    throw new ArgumentError({ field: 'lambda', expected: 'a finite number >= 0', received: String(lambda) });
  }
  const kReg = options.kReg ?? 1;
  if (!(Number.isInteger(kReg) && kReg >= 0)) {
    throw new ArgumentError({ field: 'kReg', expected: 'a whole number >= 0', received: String(kReg) });
  }
  return { score, randomized, seed, lambda, kReg };
}

/** Draws of U for randomised scores; always 0 for the plain ones. */
export function uniformSource(options: ResolvedScoreOptions): () => number {
  if (!options.randomized) return () => 0;
  const rng: Rng = createRng(options.seed);
  return () => rng.next();
}

/**
 * The score of every class of one row (probs[start .. start + classes)), written to `out`.
 * Classes are ranked by decreasing probability (the lower index first on ties).
 */
export function rowClassScores(
  probs: Float32Array,
  start: number,
  classes: number,
  options: ResolvedScoreOptions,
  u: number,
  out: Float64Array,
): void {
  if (options.score === 'lac') {
    for (let c = 0; c < classes; c++) out[c] = 1 - probs[start + c]!;
    return;
  }
  const order = Array.from({ length: classes }, (_, c) => c).sort(
    (a, b) => probs[start + b]! - probs[start + a]! || a - b,
  );
  let cumulative = 0;
  for (let r = 0; r < classes; r++) {
    const c = order[r]!;
    const p = probs[start + c]!;
    cumulative += p;
    const penalty = options.score === 'raps' ? options.lambda * Math.max(0, r + 1 - options.kReg) : 0;
    out[c] = cumulative - u * p + penalty;
  }
}

/**
 * The non-conformity score of each sample's true label (n x C probabilities, row-major;
 * C = probs.length / labels.length). Higher means the label fits the prediction worse.
 */
export function conformalScores(probs: Float32Array, labels: Int32Array, options: ConformalScoreOptions): Float64Array {
  const resolved = resolveScoreOptions(options);
  const classes = checkProbsAndLabels(probs, labels);
  return labelScores(probs, labels, classes, resolved);
}

export function labelScores(
  probs: Float32Array,
  labels: Int32Array,
  classes: number,
  options: ResolvedScoreOptions,
): Float64Array {
  const draw = uniformSource(options);
  const row = new Float64Array(classes);
  const scores = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    rowClassScores(probs, i * classes, classes, options, draw(), row);
    scores[i] = row[labels[i]!]!;
  }
  return scores;
}

/** LAC scores 1 - p_y. */
export function lacScores(probs: Float32Array, labels: Int32Array): Float64Array {
  return conformalScores(probs, labels, { score: 'lac' });
}

/** APS scores: total probability of the labels ranked at or above the true one (randomised: minus U p_y). */
export function apsScores(
  probs: Float32Array,
  labels: Int32Array,
  options: { readonly randomized?: boolean; readonly seed?: number } = {},
): Float64Array {
  return conformalScores(probs, labels, { score: 'aps', ...options });
}

/** RAPS scores: APS + lambda max(0, rank - kReg), rank 1-based. */
export function rapsScores(
  probs: Float32Array,
  labels: Int32Array,
  options: { readonly lambda?: number; readonly kReg?: number; readonly randomized?: boolean; readonly seed?: number } = {},
): Float64Array {
  return conformalScores(probs, labels, { score: 'raps', ...options });
}
