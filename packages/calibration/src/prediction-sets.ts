import { ArgumentError } from '@offramp/core';
import { type ConformalScoreOptions, resolveScoreOptions, rowClassScores, uniformSource } from './conformal-score.js';
import { checkInteger, checkProbabilities } from './probs-input.js';

/**
 * Conformal prediction sets: for each sample (n x C probabilities, row-major) the classes whose score is
 * at most `qhat` (from `conformalQuantile`), in increasing class order. With the LAC score that is
 * {y : p_y >= 1 - qhat}. Randomised scores draw one U per sample from `options.seed`.
 */
export function predictionSets(
  probs: Float32Array,
  classes: number,
  qhat: number,
  options: ConformalScoreOptions,
): Int32Array[] {
  const resolved = resolveScoreOptions(options);
  checkInteger(classes, 'classes', 1);
  if (probs.length % classes !== 0) {
    throw new ArgumentError({
      field: 'classes',
      expected: `a divisor of probs.length = ${probs.length}`,
      received: String(classes),
    });
  }
  if (Number.isNaN(qhat)) throw new ArgumentError({ field: 'qhat', expected: 'a number or +Infinity', received: 'NaN' });
  checkProbabilities(probs);
  const draw = uniformSource(resolved);
  const row = new Float64Array(classes);
  const n = probs.length / classes;
  const sets: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    rowClassScores(probs, i * classes, classes, resolved, draw(), row);
    const members: number[] = [];
    for (let c = 0; c < classes; c++) if (row[c]! <= qhat) members.push(c);
    sets.push(Int32Array.from(members));
  }
  return sets;
}
