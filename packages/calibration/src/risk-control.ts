import {
  ArgumentError,
  argmaxRows,
  CountMismatchError,
  createRng,
  type ExitCosts,
  exitsFromScores,
  type ExitSummary,
  type Gate,
  scoreTrace,
  summarizeExits,
  ThresholdRangeError,
  type Trace,
} from '@offramp/core';
import { checkLabels } from './labels.js';
import { binomialPValue, hoeffdingPValue } from './p-values.js';
import { checkInteger, checkOpenUnit } from './probs-input.js';

/**
 * The 0/1 loss whose mean is controlled:
 * - 'disagreement': the early prediction differs from the last exit's (no labels needed);
 * - 'error-increase': the early prediction is wrong where the last exit was right; its mean bounds
 *   the accuracy drop vs the full model from above;
 * - 'error': the early-exit prediction is wrong.
 */
export type RiskName = 'disagreement' | 'error-increase' | 'error';

export interface RiskControlOptions {
  readonly risk: RiskName;
  /** Needed for 'error-increase' and 'error'. */
  readonly labels?: Int32Array;
  /** Risk level to stay under, in (0, 1). */
  readonly epsilon: number;
  /** Allowed probability of failing (the risk above epsilon), in (0, 1). */
  readonly delta: number;
  /** Default 'binomial' (exact for 0/1 losses); 'hoeffding' is looser. */
  readonly pValue?: 'binomial' | 'hoeffding';
  /** 'shared' (default): one threshold at every gated exit; 'per-exit': one each (see README). */
  readonly mode?: 'shared' | 'per-exit';
  /**
   * Candidate thresholds. They must not be chosen from the calibration data. Default: `candidates`
   * values evenly spaced over the gate's score range.
   */
  readonly thresholds?: readonly number[];
  /** Number of evenly spaced candidates when `thresholds` is not given. Default 1000. */
  readonly candidates?: number;
  /** Per-exit mode: the seed of the split into search and testing samples. Default 0. */
  readonly seed?: number;
  /** Per-exit mode: the fraction of samples that build the search path (the rest test it). Default 0.5. */
  readonly searchFraction?: number;
}

export interface RiskControlledThresholds {
  readonly gate: string;
  readonly mode: 'shared' | 'per-exit';
  readonly risk: RiskName;
  readonly epsilon: number;
  readonly delta: number;
  readonly pValue: 'binomial' | 'hoeffding';
  /**
   * One threshold per gated exit, certified: risk <= epsilon with probability >= 1 - delta over the
   * calibration draw. null when not even the strictest candidate passed: run the full model.
   */
  readonly thresholds: number[] | null;
  /** Mean loss on the testing samples at the chosen thresholds (null when none was chosen). */
  readonly empiricalRisk: number | null;
  /** p-value of the chosen thresholds (null when none was chosen). */
  readonly pValueAtChoice: number | null;
  /** Hypotheses tested in sequence (the last one tested is the first that failed, if any did). */
  readonly tested: number;
  readonly searchSamples: number;
  readonly testingSamples: number;
  /** Exits and cost of the chosen thresholds (or of the full model) on every calibration sample. */
  readonly calibration: ExitSummary;
}

interface Prepared {
  readonly scores: Float32Array[];
  readonly predictions: Int32Array[];
  readonly labels: Int32Array | undefined;
}

function candidateGrid(gate: Gate, options: RiskControlOptions): number[] {
  const { min, max } = gate.range;
  if (options.thresholds) {
    if (options.thresholds.length === 0) {
      throw new ArgumentError({ field: 'options.thresholds', expected: 'at least one candidate', received: 'none' });
    }
    options.thresholds.forEach((t, i) => {
      if (!(typeof t === 'number' && t >= min && t <= max)) {
        throw new ThresholdRangeError({
          field: `options.thresholds[${i}]`,
          expected: `a number in [${min}, ${max}] for gate ${JSON.stringify(gate.name)}`,
          received: String(t),
        });
      }
    });
    return [...new Set(options.thresholds)].sort((a, b) => b - a);
  }
  if (!(Number.isFinite(min) && Number.isFinite(max))) {
    throw new ArgumentError({
      field: 'options.thresholds',
      expected: `candidate thresholds (gate ${JSON.stringify(gate.name)} has an unbounded range)`,
      received: 'none',
    });
  }
  const count = options.candidates ?? 1000;
  checkInteger(count, 'options.candidates', 1);
  if (count === 1) return [max];
  return Array.from({ length: count }, (_, k) => max - ((max - min) * k) / (count - 1));
}

/** Losses of a subset of samples (`rows`) exiting at `exit` (indexed like `rows`). */
function lossCount(prepared: Prepared, risk: RiskName, rows: Int32Array, exit: Int32Array): number {
  const { predictions, labels } = prepared;
  const last = predictions.length - 1;
  let losses = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const early = predictions[exit[k]!]![i]!;
    if (risk === 'disagreement') losses += early !== predictions[last]![i] ? 1 : 0;
    else if (risk === 'error') losses += early !== labels![i] ? 1 : 0;
    else losses += early !== labels![i] && predictions[last]![i] === labels![i] ? 1 : 0;
  }
  return losses;
}

function subsetScores(scores: readonly Float32Array[], rows: Int32Array): Float32Array[] {
  return scores.map((s) => Float32Array.from(rows, (i) => s[i]!));
}

/**
 * Fixed-sequence testing: walks the hypotheses "risk(thresholds_j) > epsilon" in order, rejecting
 * while the p-value is <= delta; returns the last rejected index (-1 if none), its losses and the count tested.
 */
function fixedSequence(
  path: readonly Float64Array[],
  prepared: Prepared,
  rows: Int32Array,
  options: RiskControlOptions,
): { chosen: number; losses: number; pValue: number; tested: number } {
  const scores = subsetScores(prepared.scores, rows);
  const n = rows.length;
  let chosen = -1;
  let chosenLosses = 0;
  let chosenP = 1;
  let tested = 0;
  for (let j = 0; j < path.length; j++) {
    tested++;
    const losses = lossCount(prepared, options.risk, rows, exitsFromScores(scores, path[j]!, n));
    const p =
      options.pValue === 'hoeffding'
        ? hoeffdingPValue(losses / n, n, options.epsilon)
        : binomialPValue(losses, n, options.epsilon);
    if (p > options.delta) break;
    chosen = j;
    chosenLosses = losses;
    chosenP = p;
  }
  return { chosen, losses: chosenLosses, pValue: chosenP, tested };
}

/**
 * Greedy path from strict to loose per-exit thresholds on the search samples: each step lowers one
 * exit's threshold to its next candidate, the one that adds the least risk per unit of cost saved
 * (steps that change no exit come first).
 */
function greedyPath(
  grid: readonly number[],
  gated: number,
  prepared: Prepared,
  rows: Int32Array,
  costs: ExitCosts,
  risk: RiskName,
): Float64Array[] {
  const scores = subsetScores(prepared.scores, rows);
  const n = rows.length;
  const index = new Array<number>(gated).fill(0);
  const thresholdsAt = (idx: readonly number[]) => Float64Array.from(idx, (k) => grid[k]!);
  const evaluate = (idx: readonly number[]) => {
    const exit = exitsFromScores(scores, thresholdsAt(idx), n);
    let cost = 0;
    for (let k = 0; k < n; k++) cost += costs.normalized[exit[k]!]!;
    return { exit, cost, losses: lossCount(prepared, risk, rows, exit) };
  };
  let current = evaluate(index);
  const path: Float64Array[] = [thresholdsAt(index)];
  for (;;) {
    let best: { l: number; ratio: number; state: ReturnType<typeof evaluate> } | null = null;
    for (let l = 0; l < gated; l++) {
      if (index[l]! >= grid.length - 1) continue;
      const trial = [...index];
      trial[l]! += 1;
      const state = evaluate(trial);
      const changed = state.exit.some((e, k) => e !== current.exit[k]);
      const ratio = changed
        ? (state.losses - current.losses) / Math.max(current.cost - state.cost, Number.MIN_VALUE)
        : Number.NEGATIVE_INFINITY;
      if (!best || ratio < best.ratio) best = { l, ratio, state };
    }
    if (!best) break;
    index[best.l]! += 1;
    current = best.state;
    path.push(thresholdsAt(index));
  }
  return path;
}

/**
 * Risk-controlled thresholds by Learn-then-Test with fixed-sequence testing (ALGORITHMS.md 5): with
 * probability >= 1 - delta over the calibration samples, the chosen thresholds have risk <= epsilon on
 * new samples from the same distribution. Works for any gate, from a trace of calibration samples.
 */
export function riskControlledThresholds(
  trace: Trace,
  gate: Gate,
  costs: ExitCosts,
  options: RiskControlOptions,
): RiskControlledThresholds {
  const { risk } = options;
  if (risk !== 'disagreement' && risk !== 'error-increase' && risk !== 'error') {
    throw new ArgumentError({ field: 'options.risk', expected: "'disagreement', 'error-increase' or 'error'", received: String(risk) });
  }
  if (risk !== 'disagreement') {
    if (!options.labels) throw new ArgumentError({ field: 'options.labels', expected: `labels (risk '${risk}' needs them)`, received: 'none' });
    checkLabels(trace, options.labels, 'options.labels');
  }
  if (trace.n === 0 || trace.exits < 2) {
    throw new ArgumentError({ field: 'trace', expected: 'samples and at least 2 exits', received: `${trace.n} samples, ${trace.exits} exits` });
  }
  if (costs.exits !== trace.exits) {
    throw new CountMismatchError({ field: 'costs.exits', expected: `${trace.exits} exits (as the trace has)`, received: String(costs.exits) });
  }
  checkOpenUnit(options.epsilon, 'options.epsilon');
  checkOpenUnit(options.delta, 'options.delta');
  const pValue = options.pValue ?? 'binomial';
  if (pValue !== 'binomial' && pValue !== 'hoeffding') {
    throw new ArgumentError({ field: 'options.pValue', expected: "'binomial' or 'hoeffding'", received: String(pValue) });
  }
  const mode = options.mode ?? 'shared';
  if (mode !== 'shared' && mode !== 'per-exit') {
    throw new ArgumentError({ field: 'options.mode', expected: "'shared' or 'per-exit'", received: String(mode) });
  }
  const grid = candidateGrid(gate, options);
  const gated = trace.exits - 1;
  const prepared: Prepared = {
    scores: scoreTrace(trace, gate, costs),
    predictions: trace.probs.map((p) => argmaxRows(p, trace.classes)),
    labels: options.labels,
  };
  const resolved = { ...options, pValue };

  let path: Float64Array[];
  let testing: Int32Array;
  let searchSamples = 0;
  if (mode === 'shared') {
    path = grid.map((t) => new Float64Array(gated).fill(t));
    testing = Int32Array.from({ length: trace.n }, (_, i) => i);
  } else {
    const fraction = options.searchFraction ?? 0.5;
    checkOpenUnit(fraction, 'options.searchFraction');
    const order = createRng(options.seed ?? 0).shuffle(Int32Array.from({ length: trace.n }, (_, i) => i));
    searchSamples = Math.floor(fraction * trace.n);
    if (searchSamples < 1 || searchSamples >= trace.n) {
      throw new ArgumentError({
        field: 'options.searchFraction',
        expected: 'a fraction leaving at least one search and one testing sample',
        received: `${fraction} of ${trace.n} samples`,
      });
    }
    const search = order.slice(0, searchSamples).sort();
    testing = order.slice(searchSamples).sort();
    path = greedyPath(grid, gated, prepared, search, costs, risk);
  }
  const result = fixedSequence(path, prepared, testing, resolved);
  const thresholds = result.chosen >= 0 ? [...path[result.chosen]!] : null;
  const exit = exitsFromScores(
    prepared.scores,
    thresholds ?? new Float64Array(gated).fill(Number.POSITIVE_INFINITY),
    trace.n,
  );
  const prediction = Int32Array.from(exit, (l, i) => prepared.predictions[l]![i]!);
  return {
    gate: gate.name,
    mode,
    risk,
    epsilon: options.epsilon,
    delta: options.delta,
    pValue,
    thresholds,
    empiricalRisk: thresholds ? result.losses / testing.length : null,
    pValueAtChoice: thresholds ? result.pValue : null,
    tested: result.tested,
    searchSamples,
    testingSamples: testing.length,
    calibration: summarizeExits({ exit, prediction }, costs, options.labels),
  };
}
