import * as tf from '@tensorflow/tfjs';
import { ArgumentError, EmptyBatchError, NonFiniteInputError } from '@offramp/core';
import { createTrainingProgress, type TrainingProgress } from './progress.js';

export interface FitOptions<B> {
  /** The variables the optimizer updates. */
  readonly variables: readonly tf.Variable[];
  /** Loss of one batch. Tensors made inside are freed after each step. */
  readonly loss: (batch: B) => tf.Scalar;
  /** The batches of epoch `epoch` (0-based); a new iterable per epoch, e.g. reshuffled with the epoch as seed. */
  readonly batches: (epoch: number) => Iterable<B> | AsyncIterable<B>;
  /** Batches per epoch, for the progress bar and its ETA. */
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  /** Default: adam with learning rate 1e-3 (made and disposed by fit). A given optimizer is not disposed. */
  readonly optimizer?: tf.Optimizer;
  /** Show a progress bar on stderr (when it is a terminal); a string is its label. */
  readonly progress?: boolean | string;
  /** Called after every epoch with its mean batch loss; returning 'stop' ends training early. */
  readonly onEpochEnd?: (epoch: number, meanLoss: number) => void | 'stop' | Promise<undefined | 'stop'> | Promise<void>;
}

export interface FitResult {
  /** Epochs run (fewer than asked when onEpochEnd stopped early). */
  readonly epochs: number;
  /** Mean batch loss of each epoch. */
  readonly losses: number[];
}

function checkWhole(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ArgumentError({ field, expected: `a whole number >= ${min}`, received: String(value) });
  }
}

/**
 * Mini-batch training: for each epoch, one optimizer step per batch on `loss`, updating only `variables`.
 * A loss that is not finite stops training with a NonFiniteInputError naming the epoch and batch.
 */
export async function fit<B>(options: FitOptions<B>): Promise<FitResult> {
  const { variables, epochs, batchesPerEpoch } = options;
  if (variables.length === 0) {
    throw new ArgumentError({ field: 'variables', expected: 'at least one variable', received: 'an empty list' });
  }
  checkWhole('epochs', epochs, 0);
  checkWhole('batchesPerEpoch', batchesPerEpoch, 1);
  const optimizer = options.optimizer ?? tf.train.adam(1e-3);
  const varList = [...variables];
  const label = typeof options.progress === 'string' ? options.progress : 'train';
  const progress: TrainingProgress | undefined = options.progress
    ? createTrainingProgress(label, epochs * batchesPerEpoch, epochs)
    : undefined;
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let sum = 0;
      let count = 0;
      for await (const batch of options.batches(epoch)) {
        const cost = optimizer.minimize(() => options.loss(batch), true, varList);
        const value = cost ? (await cost.data())[0]! : Number.NaN;
        cost?.dispose();
        if (!Number.isFinite(value)) throw new NonFiniteInputError(`loss (epoch ${epoch}) batch`, count, value);
        sum += value;
        count += 1;
        progress?.tick(epoch, sum / count);
      }
      if (count === 0) throw new EmptyBatchError(`batches(${epoch})`);
      losses.push(sum / count);
      if ((await options.onEpochEnd?.(epoch, sum / count)) === 'stop') break;
    }
  } finally {
    progress?.stop();
    if (!options.optimizer) optimizer.dispose();
  }
  return { epochs: losses.length, losses };
}
