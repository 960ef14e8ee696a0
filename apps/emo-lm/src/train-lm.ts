import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '@offramp/backbones';
import { fit, type FitResult } from '@offramp/train';
import type { LayerSkipOptions } from './layer-skip.js';
import { lmLoss, type Objective } from './lm-loss.js';
import { type Windows, windowBatches } from './windows.js';

export interface TrainLmOptions {
  readonly objective: Objective;
  readonly layerSkip: LayerSkipOptions;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly progress: boolean | string;
}

/** Adam on the exits' objective (LayerSkip options applied), batches reshuffled every epoch. */
export async function trainLm(lm: TransformerLm, windows: Windows, options: TrainLmOptions): Promise<FitResult> {
  const optimizer = tf.train.adam(options.learningRate);
  let step = options.seed * 100_000;
  try {
    return await fit({
      variables: lm.variables,
      loss: (batch: Windows) => lmLoss(lm, batch, options.objective, options.layerSkip, step++),
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
