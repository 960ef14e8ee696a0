import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';

/** SGD with momentum, weight decay and a cosine learning-rate schedule (JEI-DNN's optimiser). */
export interface SgdSettings {
  /** Start learning rate. Default 0.01. */
  readonly learningRate?: number;
  /** Learning rate at the last step (cosine decay). Default 2e-4. */
  readonly finalLearningRate?: number;
  /** Default 0.9. */
  readonly momentum?: number;
  /** L2 weight decay: adds decay / 2 * ||w||^2 to the loss, i.e. decay * w to the gradient. Default 5e-4. */
  readonly weightDecay?: number;
}

export interface CosineSgd {
  readonly optimizer: tf.MomentumOptimizer;
  readonly weightDecay: number;
  /** Sets the learning rate for step `step` of `total`. */
  schedule(step: number, total: number): number;
  dispose(): void;
}

export function createCosineSgd(settings: SgdSettings = {}): CosineSgd {
  const { learningRate = 0.01, finalLearningRate = 2e-4, momentum = 0.9, weightDecay = 5e-4 } = settings;
  for (const [field, value] of Object.entries({ learningRate, finalLearningRate, momentum, weightDecay })) {
    if (!Number.isFinite(value) || value < 0) {
      throw new ArgumentError({ field, expected: 'a finite number >= 0', received: String(value) });
    }
  }
  const optimizer = tf.train.momentum(learningRate, momentum);
  return {
    optimizer,
    weightDecay,
    schedule(step, total) {
      const t = total <= 1 ? 0 : Math.min(1, step / (total - 1));
      const rate = finalLearningRate + 0.5 * (learningRate - finalLearningRate) * (1 + Math.cos(Math.PI * t));
      optimizer.setLearningRate(rate);
      return rate;
    },
    dispose() {
      optimizer.dispose();
      // tfjs 4.22's MomentumOptimizer.dispose does not free the learning-rate scalar its SGD base keeps
      (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    },
  };
}

/** decay / 2 * sum ||w||^2 over the variables (0 when decay is 0). */
export function weightDecayTerm(variables: readonly tf.Variable[], decay: number): tf.Scalar {
  return tf.tidy(() =>
    decay === 0 || variables.length === 0
      ? tf.scalar(0)
      : (tf.mul(tf.addN(variables.map((v) => tf.sum(tf.square(v)))), decay / 2) as tf.Scalar),
  );
}
