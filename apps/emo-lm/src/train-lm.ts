import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import { fit, type FitResult } from '@offramp/train';
import { lmLoss, type Objective } from './lm-loss.js';
import { type Windows, windowBatches } from './windows.js';

export interface TrainLmOptions {
  readonly objective: Objective;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly progress: boolean | string;
}

/** Adam on the mean-over-exits objective, batches reshuffled every epoch. */
export async function trainLm(lm: TransformerLm, windows: Windows, options: TrainLmOptions): Promise<FitResult> {
  const optimizer = tf.train.adam(options.learningRate);
  try {
    return await fit({
      variables: lm.variables,
      loss: (batch: Windows) => lmLoss(lm, batch, options.objective),
      batches: (epoch) => windowBatches(windows, options.batchSize, options.seed * 1000 + epoch),
      batchesPerEpoch: Math.floor(windows.count / options.batchSize),
      epochs: options.epochs,
      optimizer,
      progress: options.progress,
    });
  } finally {
    optimizer.dispose();
  }
}
