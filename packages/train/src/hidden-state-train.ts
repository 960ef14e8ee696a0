import * as tf from '@tensorflow/tfjs';
import { argmaxRows, type Module } from '@offramp/core';
import type { HiddenStateGates } from '@offramp/gates/training';
import { exitCorrectnessLoss } from '@offramp/losses';
import { cachedLogits, type FeatureCache, featureTensor } from './feature-cache.js';
import { shuffledBatches } from './jei-warmup.js';
import { fit } from './fit.js';

export interface HiddenStateTrainOptions {
  readonly gates: HiddenStateGates;
  /** The (fixed) heads whose correctness the gates learn to predict; one per exit. */
  readonly heads: readonly Module<tf.Tensor, tf.Variable>[];
  readonly train: FeatureCache;
  readonly epochs: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  readonly learningRate?: number;
  readonly seed: number;
  readonly progress?: boolean | string;
}

/**
 * BERxiT-style gate training on cached features: u_l = sigmoid(w_l . h_l + b_l) learns by squared error to
 * predict whether head l is correct, for every exit before the last. Returns the mean loss per epoch.
 */
export async function trainHiddenStateGates(options: HiddenStateTrainOptions): Promise<number[]> {
  const { gates, heads, train, seed } = options;
  const gated = heads.length - 1;
  const classes = heads[0]!.outputShape[0]!;
  const logits = await cachedLogits(train, heads);
  const correct = logits.slice(0, gated).map((z) => {
    const predicted = argmaxRows(z, classes);
    return Float32Array.from(predicted, (p, i) => (p === train.labels[i] ? 1 : 0));
  });
  const batchSize = options.batchSize ?? 64;
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  try {
    const result = await fit({
      variables: gates.variables,
      loss: (rows: Int32Array) => {
        const terms = correct.map((y, l) =>
          exitCorrectnessLoss(gates.logits(l, featureTensor(train, l, rows)), tf.tensor1d(Float32Array.from(rows, (i) => y[i]!))),
        );
        return tf.addN(terms) as tf.Scalar;
      },
      batches: (epoch) => shuffledBatches(train.n, batchSize, seed + 31 * epoch),
      batchesPerEpoch: Math.ceil(train.n / batchSize),
      epochs: options.epochs,
      optimizer,
      progress: options.progress ?? false,
    });
    return result.losses;
  } finally {
    optimizer.dispose();
  }
}
