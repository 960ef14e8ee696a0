import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';

function checkCosts(costs: readonly number[], exits: number): void {
  if (costs.length !== exits) {
    throw new CountMismatchError({ field: 'costs.length', expected: `${exits} (one cost per exit)`, received: String(costs.length) });
  }
  costs.forEach((c, l) => {
    if (!Number.isFinite(c) || c < 0) {
      throw new ArgumentError({ field: `costs[${l}]`, expected: 'a finite number >= 0', received: String(c) });
    }
  });
}

function checkLambda(lambda: number): void {
  if (!Number.isFinite(lambda) || lambda < 0) {
    throw new ArgumentError({ field: 'lambda', expected: 'a finite number >= 0', received: String(lambda) });
  }
}

/**
 * JEI-DNN's target exit of each sample: l*_i = argmin_l (CE_il + lambda c_l) over the batch x L per-exit
 * cross-entropies (ties go to the earlier exit). Returns an int32 tensor of batch exit indices.
 */
export function jeiTargetExits(crossEntropies: tf.Tensor2D, costs: readonly number[], lambda: number): tf.Tensor1D {
  if (crossEntropies.rank !== 2) {
    throw new InputShapeError({
      field: 'crossEntropies',
      expected: 'a rank-2 tensor (batch x exits)',
      received: `shape [${crossEntropies.shape.join(', ')}]`,
    });
  }
  checkCosts(costs, crossEntropies.shape[1]);
  checkLambda(lambda);
  return tf.tidy(() => {
    const loss = tf.add(crossEntropies, tf.mul(tf.tensor1d([...costs]), lambda));
    return tf.argMin(loss, 1) as tf.Tensor1D;
  });
}

/** Host version of `jeiTargetExits` on a row-major batch x L array of cross-entropies. */
export function jeiTargetExitsHost(crossEntropies: Float32Array, costs: readonly number[], lambda: number): Int32Array {
  const exits = costs.length;
  checkCosts(costs, exits);
  checkLambda(lambda);
  if (crossEntropies.length % exits !== 0) {
    throw new InputShapeError({
      field: 'crossEntropies.length',
      expected: `a multiple of ${exits} (rows of one value per exit)`,
      received: String(crossEntropies.length),
    });
  }
  const n = crossEntropies.length / exits;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let l = 0; l < exits; l++) {
      const value = crossEntropies[i * exits + l]! + lambda * costs[l]!;
      if (value < best) {
        best = value;
        out[i] = l;
      }
    }
  }
  return out;
}

/** Gate targets t_il = 1[l >= l*_i] for the gated exits l < L - 1: a batch x (L - 1) float tensor. */
export function jeiGateTargets(targetExits: tf.Tensor1D, exits: number): tf.Tensor2D {
  if (!Number.isInteger(exits) || exits < 2) {
    throw new ArgumentError({ field: 'exits', expected: 'a whole number >= 2', received: String(exits) });
  }
  return tf.tidy(() => {
    const index = tf.range(0, exits - 1, 1, 'int32');
    return tf.cast(tf.greaterEqual(tf.expandDims(index, 0), tf.expandDims(targetExits, 1)), 'float32') as tf.Tensor2D;
  });
}

export interface ClassBalanceOptions {
  /** Upper bound of rho. Default 5. */
  readonly cap?: number;
  /** Lower bound of n_l, so an exit no sample targets gets the cap. Default 0.1. */
  readonly minCount?: number;
  /**
   * What n_l counts. 'target-exit' (default, ALGORITHMS.md): the samples whose target exit l* is l.
   * 'positives': the samples whose gate-l target is 1 (l* <= l), so rho_l is gate l's negative-to-positive
   * ratio, the usual balance of a binary classifier.
   */
  readonly counts?: 'target-exit' | 'positives';
}

/**
 * Class-balancing weights of the positive gate targets: rho_l = min((N - n_l) / n_l, cap) with n_l the number
 * of samples whose target exit is l (at least minCount; see `counts` for the other reading), for the gated
 * exits l < L - 1. JEI-DNN recomputes
 * them on the validation set after every epoch.
 */
export function jeiClassBalance(targetExits: ArrayLike<number>, exits: number, options: ClassBalanceOptions = {}): number[] {
  const { cap = 5, minCount = 0.1, counts: mode = 'target-exit' } = options;
  if (mode !== 'target-exit' && mode !== 'positives') {
    throw new ArgumentError({ field: 'options.counts', expected: "'target-exit' or 'positives'", received: JSON.stringify(mode) });
  }
  if (!Number.isInteger(exits) || exits < 2) {
    throw new ArgumentError({ field: 'exits', expected: 'a whole number >= 2', received: String(exits) });
  }
  if (!(cap > 0) || !(minCount > 0)) {
    throw new ArgumentError({ field: 'options', expected: 'cap > 0 and minCount > 0', received: `cap ${cap}, minCount ${minCount}` });
  }
  const n = targetExits.length;
  const counts = new Array<number>(exits).fill(0);
  for (let i = 0; i < n; i++) {
    const l = targetExits[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= exits) {
      throw new ArgumentError({ field: `targetExits[${i}]`, expected: `an exit in [0, ${exits - 1}]`, received: String(l) });
    }
    counts[l]! += 1;
  }
  let cumulative = 0;
  return counts.slice(0, exits - 1).map((count) => {
    cumulative += count;
    const nl = Math.max(mode === 'positives' ? cumulative : count, minCount);
    return Math.min((n - nl) / nl, cap);
  });
}

/**
 * JEI-DNN's gate loss: mean over samples and gated exits of w_il BCE(a_il, t_il), with a the gate logits,
 * t the targets (batch x (L - 1)) and w_il = rho_l where t_il = 1, else 1. BCE is computed from the
 * logits: max(a, 0) - a t + log(1 + e^-|a|).
 */
export function jeiGateLoss(gateLogits: tf.Tensor2D, targets: tf.Tensor2D, rho: readonly number[]): tf.Scalar {
  if (gateLogits.rank !== 2 || targets.rank !== 2 || gateLogits.shape.some((d, i) => d !== targets.shape[i])) {
    throw new InputShapeError({
      field: 'targets',
      expected: `shape [${gateLogits.shape.join(', ')}] (as gateLogits, rank 2)`,
      received: `shape [${targets.shape.join(', ')}]`,
    });
  }
  if (rho.length !== gateLogits.shape[1]) {
    throw new CountMismatchError({
      field: 'rho.length',
      expected: `${gateLogits.shape[1]} (one per gated exit)`,
      received: String(rho.length),
    });
  }
  rho.forEach((r, l) => {
    if (!Number.isFinite(r) || r < 0) throw new ArgumentError({ field: `rho[${l}]`, expected: 'a finite number >= 0', received: String(r) });
  });
  return tf.tidy(() => {
    const a = gateLogits;
    const bce = tf.add(tf.sub(tf.relu(a), tf.mul(a, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(a)))));
    const positive = tf.mul(targets, tf.sub(tf.tensor1d([...rho]), 1));
    const weights = tf.add(positive, 1);
    return tf.mean(tf.mul(weights, bce)) as tf.Scalar;
  });
}
