import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError } from '@offramp/core';
import type { JeiGateWeights } from '../jei-math.js';
import { UNCERTAINTY_FEATURE_COUNT } from '../uncertainty.js';
import { exitDistributionTensor } from './exit-distribution-tensor.js';
import { uncertaintyFeaturesTensor } from './features-tensor.js';
import { checkFreeName, seededUniform } from './variables.js';

export interface JeiGatesOptions {
  /** Number of exits L; there is a gate at each of the first L - 1. */
  readonly exits: number;
  /** Seed of the weight initialisation (uniform in +-sqrt(6 / 5), biases 0). */
  readonly seed: number;
  /** Prefix of the variable names (tfjs names are global). */
  readonly name: string;
}

/** The gates' outputs on a batch. */
export interface JeiGateOutputs {
  /** batch x (L - 1) gate logits a_l = w_l . phi(p^l) + b_l. */
  readonly logits: tf.Tensor2D;
  /** batch x (L - 1) gate values g_l = sigmoid(a_l). */
  readonly gates: tf.Tensor2D;
  /** batch x L exit distribution pi. */
  readonly pi: tf.Tensor2D;
}

/** The trainable gates of JEI-DNN: one sigmoid unit on the four uncertainty features per exit before the last. */
export interface JeiGates {
  readonly exits: number;
  /** (L - 1) x 4 weights. */
  readonly weight: tf.Variable;
  /** L - 1 biases. */
  readonly bias: tf.Variable;
  readonly variables: readonly tf.Variable[];
  /**
   * Forward pass from the heads' probabilities (one batch x classes tensor per exit; only the first L - 1
   * are read). phi has its gradient stopped; the gate weights get gradients through a, g and pi.
   * The caller disposes the outputs.
   */
  forward(probsPerExit: readonly tf.Tensor2D[]): JeiGateOutputs;
  /** Plain weights, as the `jei` gate plugin takes them in its options. */
  exportWeights(): JeiGateWeights;
  /** Puts plain weights (e.g. from a saved config) into the variables. */
  assignWeights(weights: JeiGateWeights): void;
  dispose(): void;
}

export function createJeiGates(options: JeiGatesOptions): JeiGates {
  const { exits, seed, name } = options;
  if (!Number.isInteger(exits) || exits < 2) {
    throw new ArgumentError({ field: 'exits', expected: 'a whole number >= 2', received: String(exits) });
  }
  const gated = exits - 1;
  checkFreeName(`${name}/weight`, 'name');
  checkFreeName(`${name}/bias`, 'name');
  const limit = Math.sqrt(6 / (UNCERTAINTY_FEATURE_COUNT + 1));
  const weight = seededUniform(`${name}/weight`, [gated, UNCERTAINTY_FEATURE_COUNT], limit, seed);
  const bias = tf.tidy(() => tf.variable(tf.zeros([gated]), true, `${name}/bias`));
  return {
    exits,
    weight,
    bias,
    variables: [weight, bias],
    forward(probsPerExit) {
      if (probsPerExit.length < gated) {
        throw new CountMismatchError({
          field: 'probsPerExit.length',
          expected: `at least ${gated} (one per gated exit)`,
          received: String(probsPerExit.length),
        });
      }
      return tf.tidy(() => {
        const columns = probsPerExit.slice(0, gated).map((probs, l) => {
          const phi = uncertaintyFeaturesTensor(probs);
          const w = tf.reshape(tf.slice(weight, [l, 0], [1, -1]), [UNCERTAINTY_FEATURE_COUNT, 1]);
          return tf.add(tf.squeeze(tf.matMul(phi, w), [1]), tf.slice(bias, [l], [1]));
        });
        const logits = tf.stack(columns, 1) as tf.Tensor2D;
        const gates = tf.sigmoid(logits);
        const pi = exitDistributionTensor(gates);
        return { logits, gates, pi };
      });
    },
    exportWeights() {
      const w = weight.arraySync() as number[][];
      const b = bias.arraySync() as number[];
      return { weights: w, biases: b };
    },
    assignWeights(values) {
      if (values.weights.length !== gated || values.biases.length !== gated) {
        throw new CountMismatchError({
          field: 'weights',
          expected: `${gated} rows and ${gated} biases`,
          received: `${values.weights.length} rows and ${values.biases.length} biases`,
        });
      }
      tf.tidy(() => {
        weight.assign(tf.tensor2d(values.weights.map((r) => [...r]), [gated, UNCERTAINTY_FEATURE_COUNT]));
        bias.assign(tf.tensor1d([...values.biases]));
      });
    },
    dispose() {
      weight.dispose();
      bias.dispose();
    },
  };
}
