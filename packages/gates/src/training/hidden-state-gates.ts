import * as tf from '@tensorflow/tfjs';
import { ArgumentError, InputShapeError } from '@offramp/core';
import type { HiddenStateGateOptions } from '../hidden-state.js';
import { checkFreeName, seededUniform } from './variables.js';

export interface HiddenStateGatesOptions {
  /** Flattened hidden size of each gated exit (the exits before the last). */
  readonly hiddenSizes: readonly number[];
  readonly seed: number;
  /** Prefix of the variable names. */
  readonly name: string;
}

/** BERxiT-style gates: u_l = sigmoid(w_l . h_l + b_l) on each gated exit's flattened hidden state. */
export interface HiddenStateGates {
  readonly variables: readonly tf.Variable[];
  /** Gate logits w_l . h_l + b_l (batch) of a batch x hiddenSizes[l] tensor; the caller disposes them. */
  logits(exit: number, hidden: tf.Tensor): tf.Tensor1D;
  /** Plain weights, as the `hidden-state` gate plugin takes them in its options. */
  exportWeights(): HiddenStateGateOptions;
  dispose(): void;
}

export function createHiddenStateGates(options: HiddenStateGatesOptions): HiddenStateGates {
  const { hiddenSizes, seed, name } = options;
  if (hiddenSizes.length === 0 || !hiddenSizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ArgumentError({
      field: 'hiddenSizes',
      expected: 'at least one positive whole number',
      received: `[${hiddenSizes.join(', ')}]`,
    });
  }
  hiddenSizes.forEach((_, l) => {
    checkFreeName(`${name}/w${l}`, 'name');
    checkFreeName(`${name}/b${l}`, 'name');
  });
  const weights = hiddenSizes.map((size, l) => seededUniform(`${name}/w${l}`, [size, 1], Math.sqrt(6 / (size + 1)), seed + l));
  const biases = hiddenSizes.map((_, l) => tf.tidy(() => tf.variable(tf.zeros([1]), true, `${name}/b${l}`)));
  return {
    variables: [...weights, ...biases],
    logits(exit, hidden) {
      const w = weights[exit];
      if (!w) {
        throw new ArgumentError({ field: 'exit', expected: `a gated exit in [0, ${hiddenSizes.length - 1}]`, received: String(exit) });
      }
      const size = hiddenSizes[exit]!;
      const perSample = hidden.shape.slice(1).reduce((a, b) => a * b, 1);
      if (perSample !== size) {
        throw new InputShapeError({
          field: 'hidden.shape',
          expected: `batch x ${size} values per sample (exit ${exit})`,
          received: `[${hidden.shape.join(', ')}]`,
        });
      }
      return tf.tidy(() => tf.add(tf.squeeze(tf.matMul(tf.reshape(hidden, [-1, size]), w), [1]), biases[exit]!) as tf.Tensor1D);
    },
    exportWeights() {
      return {
        weights: weights.map((w) => Array.from(w.dataSync())),
        biases: biases.map((b) => b.dataSync()[0]!),
      };
    },
    dispose() {
      tf.dispose([...weights, ...biases]);
    },
  };
}
