import { ArgumentError, CountMismatchError } from '@offramp/core';
import { UNCERTAINTY_FEATURE_COUNT } from './uncertainty.js';

/** Logistic function 1 / (1 + e^-x), stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * JEI-DNN's exit distribution of one sample from its gate values g_0..g_{L-2} (exits numbered from 0):
 * pi_l = max(0, min(g_l, 1 - sum_{k<l} g_k)) for l < L-1, and pi_{L-1} = 1 - sum_{l<L-1} pi_l.
 * Returns L values that sum to 1.
 */
export function exitDistribution(gates: ArrayLike<number>): Float64Array {
  const exits = gates.length + 1;
  const pi = new Float64Array(exits);
  let gateSum = 0;
  let piSum = 0;
  for (let l = 0; l < exits - 1; l++) {
    const g = gates[l]!;
    pi[l] = Math.max(0, Math.min(g, 1 - gateSum));
    gateSum += g;
    piSum += pi[l]!;
  }
  pi[exits - 1] = 1 - piSum;
  return pi;
}

/**
 * The inference rule's exit probabilities from an exit distribution: q_l = clip(pi_l / prod_{k<l} (1 - q_k), 0, 1),
 * the probability of exiting at l given that the sample reached l. When the product is 0 (an earlier q_k was 1,
 * so the sample never gets here) q_l is 1. The last entry is always 1.
 */
export function conditionalExitProbabilities(pi: ArrayLike<number>): Float64Array {
  const exits = pi.length;
  const q = new Float64Array(exits);
  let remaining = 1;
  for (let l = 0; l < exits - 1; l++) {
    q[l] = remaining <= 0 ? 1 : Math.min(1, Math.max(0, pi[l]! / remaining));
    remaining *= 1 - q[l]!;
  }
  q[exits - 1] = 1;
  return q;
}

/** Weights of JEI-DNN's gates as plain numbers: one row of 4 weights and one bias per exit before the last. */
export interface JeiGateWeights {
  /** (exits - 1) rows of 4: weights of [max p, H(p), p(1) - p(2), H(p^2 / sum p^2)]. */
  readonly weights: number[][];
  /** exits - 1 biases. */
  readonly biases: number[];
}

/** Checks that the weights fit a network of `exits` exits; `field` prefixes error fields. */
export function checkJeiGateWeights(weights: JeiGateWeights, exits: number, field = 'options'): void {
  const gated = exits - 1;
  if (weights.weights.length !== gated) {
    throw new CountMismatchError({
      field: `${field}.weights.length`,
      expected: `${gated} rows (one per exit before the last of ${exits} exits)`,
      received: String(weights.weights.length),
    });
  }
  if (weights.biases.length !== gated) {
    throw new CountMismatchError({
      field: `${field}.biases.length`,
      expected: `${gated} biases (one per exit before the last of ${exits} exits)`,
      received: String(weights.biases.length),
    });
  }
  weights.weights.forEach((row, l) => {
    if (row.length !== UNCERTAINTY_FEATURE_COUNT) {
      throw new CountMismatchError({
        field: `${field}.weights[${l}].length`,
        expected: `${UNCERTAINTY_FEATURE_COUNT} (one weight per uncertainty feature)`,
        received: String(row.length),
      });
    }
    row.forEach((w, k) => {
      if (!Number.isFinite(w)) {
        throw new ArgumentError({ field: `${field}.weights[${l}][${k}]`, expected: 'a finite number', received: String(w) });
      }
    });
  });
  weights.biases.forEach((b, l) => {
    if (!Number.isFinite(b)) {
      throw new ArgumentError({ field: `${field}.biases[${l}]`, expected: 'a finite number', received: String(b) });
    }
  });
}

/** g = sigmoid(w . phi + b) for each row of a rows x 4 feature array. */
export function gateValues(features: Float32Array, weights: readonly number[], bias: number): Float64Array {
  const rows = features.length / UNCERTAINTY_FEATURE_COUNT;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let a = bias;
    for (let k = 0; k < UNCERTAINTY_FEATURE_COUNT; k++) {
      a += weights[k]! * features[r * UNCERTAINTY_FEATURE_COUNT + k]!;
    }
    out[r] = sigmoid(a);
  }
  return out;
}

/**
 * q_l of one sample at gated exit l = gates.length - 1 from its gate values g_0..g_l: the pi_k and q_k of
 * `exitDistribution` and `conditionalExitProbabilities`, computed only up to l (what the runner knows there).
 */
export function exitProbabilityAt(gates: ArrayLike<number>): number {
  let gateSum = 0;
  let remaining = 1;
  let q = 0;
  for (let k = 0; k < gates.length; k++) {
    const g = gates[k]!;
    const pi = Math.max(0, Math.min(g, 1 - gateSum));
    gateSum += g;
    q = remaining <= 0 ? 1 : Math.min(1, Math.max(0, pi / remaining));
    remaining *= 1 - q;
  }
  return q;
}
