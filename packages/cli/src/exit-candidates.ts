import type { TensorReport } from './model-analysis.js';

/** The tensors an exit may sit at: legal cuts before the model's outputs, with some compute before them. */
export function exitCandidates(tensors: readonly TensorReport[]): TensorReport[] {
  return tensors.filter((t) => t.legalCut && !t.isOutput && t.cumulativeMacs > 0);
}

/**
 * Of several candidates at the same cumulative cost (conv -> relu -> pool) only the last: it is the
 * same work, further processed and often smaller.
 */
function lastAtEachCost(candidates: readonly TensorReport[]): TensorReport[] {
  return candidates.filter((t, i) => candidates[i + 1]?.cumulativeMacs !== t.cumulativeMacs);
}

/**
 * `count` candidates (the last at each cost) at about equal steps of cumulative cost: the k-th nearest to k / count of the
 * last candidate's cost, in order, each after the one before. Fewer when there are fewer candidates.
 */
export function suggestExits(all: readonly TensorReport[], count: number): TensorReport[] {
  const candidates = lastAtEachCost(all);
  if (candidates.length <= count) return [...candidates];
  const total = candidates[candidates.length - 1]!.cumulativeMacs;
  const chosen: TensorReport[] = [];
  let from = 0;
  for (let k = 1; k <= count; k++) {
    const target = (k / count) * total;
    const last = candidates.length - (count - k) - 1;
    let best = from;
    for (let j = from; j <= last; j++) {
      if (Math.abs(candidates[j]!.cumulativeMacs - target) < Math.abs(candidates[best]!.cumulativeMacs - target)) best = j;
    }
    chosen.push(candidates[best]!);
    from = best + 1;
  }
  return chosen;
}
