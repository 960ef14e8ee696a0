import { ArgumentError, CountMismatchError, InputShapeError, takeRows } from '@offramp/core';
import { conformalQuantile } from './conformal-quantile.js';
import { type ConformalScoreOptions, labelScores, type ResolvedScoreOptions, resolveScoreOptions } from './conformal-score.js';
import { predictionSets } from './prediction-sets.js';
import { checkInteger, checkOpenUnit, checkProbsAndLabels } from './probs-input.js';

/** Outputs of every exit for a set of samples, with the exit each sample took. */
export interface ConformalSplit {
  /** Per exit: n x C probabilities, row-major (e.g. `trace.probs`). */
  readonly probs: readonly Float32Array[];
  readonly labels: Int32Array;
  /** Exit taken by each sample, 0-based (e.g. `evaluateTrace(...).exit`). */
  readonly exits: Int32Array;
}

export interface PerExitConformalOptions extends ConformalScoreOptions {
  readonly calibration: ConformalSplit;
  /** Miscoverage level: sets should hold the label with probability >= 1 - alpha. */
  readonly alpha: number;
  /** Exits where this many calibration samples or fewer left use every calibration sample at that head. Default 20. */
  readonly minPerExit?: number;
}

/** Conformal quantiles per exit (JEI-DNN style). */
export interface PerExitConformal {
  readonly alpha: number;
  readonly classes: number;
  readonly options: ResolvedScoreOptions;
  readonly minPerExit: number;
  /** qhat of each exit (+Infinity when too few samples for this alpha). */
  readonly quantiles: number[];
  /** Calibration samples that took each exit. */
  readonly exitCounts: number[];
  /** True where the exit had minPerExit samples or fewer and so used every calibration sample at its head. */
  readonly fallback: boolean[];
}

/** Checks a split and returns C. */
function checkSplit(split: ConformalSplit, field: string): number {
  const { probs, labels, exits } = split;
  if (!Array.isArray(probs) || probs.length === 0) {
    throw new InputShapeError({ field: `${field}.probs`, expected: 'one probability array per exit', received: String(probs) });
  }
  let classes = 0;
  probs.forEach((p: Float32Array, l: number) => {
    const c = checkProbsAndLabels(p, labels, `${field}.probs[${l}]`, `${field}.labels`);
    if (l > 0 && c !== classes) {
      throw new CountMismatchError({ field: `${field}.probs[${l}].length`, expected: String(classes * labels.length), received: String(p.length) });
    }
    classes = c;
  });
  if (!(exits instanceof Int32Array) || exits.length !== labels.length) {
    throw new CountMismatchError({
      field: `${field}.exits`,
      expected: `an Int32Array of ${labels.length} exits (one per sample)`,
      received: exits instanceof Int32Array ? `${exits.length} entries` : typeof exits,
    });
  }
  exits.forEach((e, i) => {
    if (e < 0 || e >= probs.length) {
      throw new ArgumentError({ field: `${field}.exits[${i}]`, expected: `an exit in [0, ${probs.length - 1}]`, received: String(e) });
    }
  });
  return classes;
}

function rowsAt(exits: Int32Array, exit: number): Int32Array {
  const rows: number[] = [];
  exits.forEach((e, i) => {
    if (e === exit) rows.push(i);
  });
  return Int32Array.from(rows);
}

/** The score options of exit l: randomised draws get their own stream per exit. */
function atExit(options: ResolvedScoreOptions, exit: number): ResolvedScoreOptions {
  return { ...options, seed: options.seed + exit };
}

/**
 * Split conformal per exit: the quantile of exit l comes from the calibration samples that exited at l,
 * or, when minPerExit or fewer did, from every calibration sample's output at head l (ALGORITHMS.md 5).
 */
export function perExitConformal(options: PerExitConformalOptions): PerExitConformal {
  const { calibration, alpha } = options;
  checkOpenUnit(alpha, 'alpha');
  const minPerExit = options.minPerExit ?? 20;
  checkInteger(minPerExit, 'minPerExit', 0);
  const resolved = resolveScoreOptions(options);
  const classes = checkSplit(calibration, 'calibration');
  const quantiles: number[] = [];
  const exitCounts: number[] = [];
  const fallback: boolean[] = [];
  calibration.probs.forEach((probs, l) => {
    const scores = labelScores(probs, calibration.labels, classes, atExit(resolved, l));
    const rows = rowsAt(calibration.exits, l);
    const useAll = rows.length <= minPerExit;
    quantiles.push(conformalQuantile(useAll ? scores : Float64Array.from(rows, (i) => scores[i]!), alpha));
    exitCounts.push(rows.length);
    fallback.push(useAll);
  });
  return { alpha, classes, options: resolved, minPerExit, quantiles, exitCounts, fallback };
}

export interface ConformalExitReport {
  readonly exit: number;
  readonly quantile: number;
  readonly samples: number;
  /** null when no sample took this exit. */
  readonly meanSetSize: number | null;
  readonly coverage: number | null;
}

export interface ConformalReport {
  readonly alpha: number;
  readonly samples: number;
  readonly meanSetSize: number;
  /** Fraction of samples whose set holds the label (1 - coverage is the miscoverage). */
  readonly coverage: number;
  readonly perExit: ConformalExitReport[];
}

/**
 * Prediction sets for the test samples, each at the exit it took with that exit's quantile: mean set
 * size and empirical coverage, overall and per exit. Randomised scores draw U from `seed` (default 1).
 */
export function evaluateConformal(
  conformal: PerExitConformal,
  test: ConformalSplit,
  options: { readonly seed?: number } = {},
): ConformalReport {
  if (Array.isArray(test.probs) && test.probs.length !== conformal.quantiles.length) {
    throw new CountMismatchError({
      field: 'test.probs.length',
      expected: `${conformal.quantiles.length} exits (as calibrated)`,
      received: String(test.probs.length),
    });
  }
  const classes = checkSplit(test, 'test');
  if (classes !== conformal.classes) {
    throw new CountMismatchError({
      field: 'test.probs',
      expected: `${conformal.quantiles.length} exits of ${conformal.classes} classes (as calibrated)`,
      received: `${test.probs.length} exits of ${classes} classes`,
    });
  }
  const seed = options.seed ?? 1;
  let totalSize = 0;
  let covered = 0;
  const perExit = test.probs.map((probs, l): ConformalExitReport => {
    const rows = rowsAt(test.exits, l);
    const quantile = conformal.quantiles[l]!;
    if (rows.length === 0) return { exit: l, quantile, samples: 0, meanSetSize: null, coverage: null };
    const sets = predictionSets(takeRows(probs, classes, rows), classes, quantile, {
      ...atExit({ ...conformal.options, seed }, l),
    });
    let size = 0;
    let hits = 0;
    sets.forEach((set, k) => {
      size += set.length;
      if (set.includes(test.labels[rows[k]!]!)) hits++;
    });
    totalSize += size;
    covered += hits;
    return { exit: l, quantile, samples: rows.length, meanSetSize: size / rows.length, coverage: hits / rows.length };
  });
  const n = test.labels.length;
  return { alpha: conformal.alpha, samples: n, meanSetSize: totalSize / n, coverage: covered / n, perExit };
}
