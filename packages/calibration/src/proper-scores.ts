import { checkProbsAndLabels } from './probs-input.js';

/** Probabilities below this are taken as this in the NLL, so a confident mistake costs at most -log(1e-12). */
export const NLL_FLOOR = 1e-12;

/** Multi-class Brier score: mean over samples of sum_c (p_c - 1[c = y])^2, in [0, 2]. */
export function brierScore(probs: Float32Array, labels: Int32Array): number {
  const classes = checkProbsAndLabels(probs, labels);
  return brierSum(probs, labels, classes) / labels.length;
}

/** Negative log-likelihood: mean of -log max(p_y, 1e-12). */
export function negativeLogLikelihood(probs: Float32Array, labels: Int32Array): number {
  const classes = checkProbsAndLabels(probs, labels);
  return nllSum(probs, labels, classes) / labels.length;
}

export function brierSum(probs: Float32Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let c = 0; c < classes; c++) {
      const d = probs[i * classes + c]! - (c === labels[i] ? 1 : 0);
      total += d * d;
    }
  }
  return total;
}

export function nllSum(probs: Float32Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    total -= Math.log(Math.max(probs[i * classes + labels[i]!]!, NLL_FLOOR));
  }
  return total;
}
