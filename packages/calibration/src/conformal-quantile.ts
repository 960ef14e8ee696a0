import { EmptyBatchError } from '@offramp/core';
import { checkOpenUnit } from './probs-input.js';

/**
 * Split-conformal quantile: the ceil((n + 1)(1 - alpha))-th smallest of the n calibration scores (the
 * "higher" empirical quantile at level ceil((n + 1)(1 - alpha)) / n), or +Infinity when that rank
 * exceeds n (too few samples for this alpha: every label goes in the set).
 */
export function conformalQuantile(scores: ArrayLike<number>, alpha: number): number {
  checkOpenUnit(alpha, 'alpha');
  const n = scores.length;
  if (n === 0) throw new EmptyBatchError('scores');
  // The small slack keeps e.g. (19 + 1)(1 - 0.05) = 19 from rounding up to 20.
  const rank = Math.ceil((n + 1) * (1 - alpha) - 1e-9);
  if (rank > n) return Number.POSITIVE_INFINITY;
  const sorted = Float64Array.from(scores).sort();
  return sorted[Math.max(1, rank) - 1]!;
}
