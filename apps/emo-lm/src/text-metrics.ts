import { ArgumentError } from '@offramp/core';

function ngramKey(seq: ArrayLike<number>, start: number, n: number): string {
  let key = '';
  for (let k = 0; k < n; k++) key += `${seq[start + k]},`;
  return key;
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError({ field: 'n', expected: 'a whole number >= 1', received: String(n) });
}

/** distinct-n: distinct n-grams over all sequences divided by all n-grams (1 = no n-gram repeats anywhere). */
export function distinctN(sequences: readonly ArrayLike<number>[], n: number): number {
  checkN(n);
  const seen = new Set<string>();
  let total = 0;
  for (const seq of sequences) {
    for (let i = 0; i + n <= seq.length; i++) {
      seen.add(ngramKey(seq, i, n));
      total += 1;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/**
 * Repetition rate rep-n: per sequence, the share of its n-grams that repeat an n-gram seen earlier in the same
 * sequence (1 - distinct / total), averaged over sequences (0 = no repetition).
 */
export function repetitionRate(sequences: readonly ArrayLike<number>[], n: number): number {
  checkN(n);
  let sum = 0;
  let counted = 0;
  for (const seq of sequences) {
    const total = seq.length - n + 1;
    if (total < 1) continue;
    const seen = new Set<string>();
    for (let i = 0; i < total; i++) seen.add(ngramKey(seq, i, n));
    sum += 1 - seen.size / total;
    counted += 1;
  }
  return counted === 0 ? 0 : sum / counted;
}
