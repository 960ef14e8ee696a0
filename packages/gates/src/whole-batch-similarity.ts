import { ArgumentError, CountMismatchError } from '@offramp/core';

/**
 * The paper's whole-batch similarity: ONE cosine between the two flattened tensors of the batch,
 * sum(a * b) / sqrt(sum(a^2) sum(b^2)); 0 when either is all zeros. A decision on it depends on the other
 * samples of the batch, so it is a policy of the code that runs the model, not a gate (gate scores are per
 * sample, which keeps real early exit and trace evaluation in agreement). With batch 1 it equals the
 * per-sample cosine of the `similarity` gate.
 */
export function batchCosine(current: Float32Array, previous: Float32Array): number {
  if (current.length !== previous.length) {
    throw new CountMismatchError({
      field: 'previous.length',
      expected: `${current.length} values (as current has)`,
      received: String(previous.length),
    });
  }
  let dot = 0;
  let a2 = 0;
  let b2 = 0;
  for (let k = 0; k < current.length; k++) {
    dot += current[k]! * previous[k]!;
    a2 += current[k]! * current[k]!;
    b2 += previous[k]! * previous[k]!;
  }
  return a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : 0;
}

/**
 * The layer (0-based) where the whole batch leaves under the whole-batch rule: the first l with
 * cosines[l] >= threshold, where cosines[l] = batchCosine(h_l, h_{l-1}); the last layer when none does.
 * `cosines` has one entry per layer before the last (the last layer always ends the run).
 */
export function wholeBatchExitLayer(cosines: ArrayLike<number>, threshold: number, layers: number): number {
  if (!Number.isInteger(layers) || layers < 1) {
    throw new ArgumentError({ field: 'layers', expected: 'a whole number >= 1', received: String(layers) });
  }
  if (cosines.length < layers - 1) {
    throw new CountMismatchError({
      field: 'cosines.length',
      expected: `at least ${layers - 1} cosines (one per layer before the last)`,
      received: String(cosines.length),
    });
  }
  checkThreshold(threshold, 'threshold');
  for (let l = 0; l < layers - 1; l++) if (cosines[l]! >= threshold) return l;
  return layers - 1;
}

/** A similarity threshold lies in [-1, 1]; above 1 never exits (a cosine is at most 1). */
export function checkThreshold(value: number, field: string): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= -1)) {
    throw new ArgumentError({ field, expected: 'a finite number >= -1', received: String(value) });
  }
}
