import { ArgumentError, InputShapeError } from '@offramp/core';

/**
 * Per-row uncertainty features of a batch x classes probability array (row-major).
 * Each function returns one value per row, computed in float64 and stored as float32.
 * Entropies are in nats, with 0 log 0 = 0.
 */

/** Checks that `probs` holds whole rows of `classes` values; returns the number of rows. */
export function rowCount(probs: Float32Array, classes: number, field = 'probs'): number {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArgumentError({ field: 'classes', expected: 'a whole number >= 1', received: String(classes) });
  }
  if (!(probs instanceof Float32Array)) {
    throw new InputShapeError({ field, expected: 'a Float32Array', received: probs === null ? 'null' : typeof probs });
  }
  if (probs.length % classes !== 0) {
    throw new InputShapeError({
      field: `${field}.length`,
      expected: `a multiple of ${classes} (rows of ${classes} classes)`,
      received: String(probs.length),
    });
  }
  return probs.length / classes;
}

/** max_c p_c of the row starting at `start`. */
export function rowMax(probs: Float32Array, start: number, classes: number): number {
  let best = probs[start]!;
  for (let c = 1; c < classes; c++) best = Math.max(best, probs[start + c]!);
  return best;
}

/** p(1) - p(2): the largest minus the second largest value of the row (p(1) when there is one class). */
export function rowMargin(probs: Float32Array, start: number, classes: number): number {
  let first = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) {
    const p = probs[start + c]!;
    if (p > first) {
      second = first;
      first = p;
    } else if (p > second) {
      second = p;
    }
  }
  return classes === 1 ? first : first - second;
}

/** H(p) = -sum_c p_c ln p_c of the row. */
export function rowEntropy(probs: Float32Array, start: number, classes: number): number {
  let h = 0;
  for (let c = 0; c < classes; c++) {
    const p = probs[start + c]!;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** H(q) with q = p^2 / sum p^2 of the row (0 for a row of zeros). */
export function rowPowerEntropy(probs: Float32Array, start: number, classes: number): number {
  let norm = 0;
  for (let c = 0; c < classes; c++) norm += probs[start + c]! * probs[start + c]!;
  if (norm <= 0) return 0;
  let h = 0;
  for (let c = 0; c < classes; c++) {
    const q = (probs[start + c]! * probs[start + c]!) / norm;
    if (q > 0) h -= q * Math.log(q);
  }
  return h;
}

/** An entropy divided by ln C, clamped to [0, 1] against rounding (0 when C = 1). */
export function normalizeEntropy(h: number, classes: number): number {
  if (classes < 2) return 0;
  return Math.min(1, Math.max(0, h / Math.log(classes)));
}

function perRow(
  probs: Float32Array,
  classes: number,
  feature: (probs: Float32Array, start: number, classes: number) => number,
): Float32Array {
  const rows = rowCount(probs, classes);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = feature(probs, r * classes, classes);
  return out;
}

/** max_c p_c per row. */
export function maxProb(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, rowMax);
}

/** p(1) - p(2) per row: the gap between the two largest probabilities. */
export function topTwoMargin(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, rowMargin);
}

/** H(p) per row, in nats. */
export function entropy(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, rowEntropy);
}

/** H(p) / ln C per row, in [0, 1]: 0 for a one-hot row, 1 for the uniform row. */
export function normalizedEntropy(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, (p, start, c) => normalizeEntropy(rowEntropy(p, start, c), c));
}

/** H(p^2 / sum p^2) per row, in nats (the sharpened distribution's entropy). */
export function powerEntropy(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, rowPowerEntropy);
}

/** H(p^2 / sum p^2) / ln C per row, in [0, 1]. */
export function normalizedPowerEntropy(probs: Float32Array, classes: number): Float32Array {
  return perRow(probs, classes, (p, start, c) => normalizeEntropy(rowPowerEntropy(p, start, c), c));
}
