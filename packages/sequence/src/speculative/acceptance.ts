import type { Rng } from '@offramp/core';

/** Index of the largest probability (the first of ties): greedy choice. */
export function argmax(probs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  return best;
}

/** The token whose cumulative probability first exceeds `u` in [0, 1) (the last with mass if rounding leaves some). */
export function sampleIndex(probs: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i]!;
  let left = u * total;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! <= 0) continue;
    last = i;
    left -= probs[i]!;
    if (left < 0) return i;
  }
  return last;
}

/** What verification decided: how many drafted tokens are kept, and the full model's token after them. */
export interface Verdict {
  readonly accepted: number;
  readonly next: number;
}

/**
 * Greedy verification: drafted token j is kept while it is the full model's argmax at its position (`full[j]`);
 * the next token is the full model's argmax after the kept prefix (a correction, or the bonus token when all are
 * kept). `full` has one more row than `drafts`.
 */
export function acceptGreedy(full: readonly Float32Array[], drafts: readonly number[]): Verdict {
  let accepted = 0;
  while (accepted < drafts.length && argmax(full[accepted]!) === drafts[accepted]) accepted++;
  return { accepted, next: argmax(full[accepted]!) };
}

/**
 * Speculative sampling (Leviathan et al. 2023; Chen et al. 2023): drafted token x_j drawn from q_j is kept with
 * probability min(1, p_j(x_j) / q_j(x_j)); at the first rejection the next token is drawn from the residual
 * max(0, p_j - q_j), renormalised; when every draft is kept, from p after them. The tokens that come out are
 * distributed exactly as sampling from the full model p. `full` (p) has one more row than `draft` (q).
 */
export function acceptSampled(
  full: readonly Float32Array[],
  draft: readonly Float32Array[],
  drafts: readonly number[],
  rng: Rng,
): Verdict {
  for (let j = 0; j < drafts.length; j++) {
    const x = drafts[j]!;
    const p = full[j]![x]!;
    const q = draft[j]![x]!;
    if (q > 0 && rng.next() * q < p) continue;
    const residual = full[j]!.map((pi, i) => Math.max(0, pi - draft[j]![i]!));
    const mass = residual.reduce((s, r) => s + r, 0);
    // p = q to rounding: the residual has no mass, and p itself is the distribution to draw from.
    return { accepted: j, next: sampleIndex(mass > 0 ? residual : full[j]!, rng.next()) };
  }
  return { accepted: drafts.length, next: sampleIndex(full[drafts.length]!, rng.next()) };
}
