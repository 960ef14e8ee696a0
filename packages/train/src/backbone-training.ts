import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Module } from '@offramp/core';
import { crossEntropyPerSample } from '@offramp/losses';
import * as tf from '@tensorflow/tfjs';
import { checkpointExists, loadVariables, saveVariables } from './checkpoint.js';
import { fit } from './fit.js';

type TfModule = Module<tf.Tensor, tf.Variable>;

/** A batch of labelled samples on the host (images row-major, one sample of `inputShape` each). */
export interface LabelledBatch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

export interface BackboneTrainingOptions {
  readonly stages: readonly TfModule[];
  /** The backbone's own (last) head, trained with it. */
  readonly head: TfModule;
  readonly inputShape: readonly number[];
  readonly batches: (epoch: number) => Iterable<LabelledBatch>;
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  /** Adam learning rate; default 2e-3. */
  readonly learningRate?: number;
  /** Progress bar label, or false. */
  readonly progress: string | false;
  /** Where the trained weights are kept; an existing file is loaded instead of training. */
  readonly checkpoint: string;
}

/** A checkpoint file name that changes whenever anything in `key` (architecture, data, settings) changes. */
export function checkpointPath(cacheDir: string, prefix: string, key: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 12);
  return join(cacheDir, `${prefix}-${hash}.ckpt`);
}

/**
 * Trains a backbone with its own last head on cross-entropy (Adam), or loads both from the checkpoint
 * when it exists. Returns whether it loaded, and the mean loss per epoch when it trained.
 */
export async function trainOrLoadBackbone(
  options: BackboneTrainingOptions,
): Promise<{ fromCache: boolean; path: string; losses: number[] }> {
  const variables = [...options.stages.flatMap((s) => [...s.variables]), ...options.head.variables];
  const path = options.checkpoint;
  if (await checkpointExists(path)) {
    await loadVariables(path, variables);
    return { fromCache: true, path, losses: [] };
  }
  const optimizer = tf.train.adam(options.learningRate ?? 2e-3);
  try {
    const result = await fit({
      variables,
      loss: (batch: LabelledBatch) => {
        const x = tf.tensor(batch.images, [batch.size, ...options.inputShape]);
        const hidden = options.stages.reduce<tf.Tensor>((h, stage) => stage.apply(h, true), x);
        const labels = tf.tensor1d(batch.labels, 'int32');
        return crossEntropyPerSample(options.head.apply(hidden, true) as tf.Tensor2D, labels).mean() as tf.Scalar;
      },
      batches: options.batches,
      batchesPerEpoch: options.batchesPerEpoch,
      epochs: options.epochs,
      optimizer,
      progress: options.progress,
    });
    await saveVariables(path, variables);
    return { fromCache: false, path, losses: result.losses };
  } finally {
    optimizer.dispose();
  }
}
