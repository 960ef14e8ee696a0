import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { batches, countBatches, type ImageDataset } from '@offramp/data';
import { crossEntropyPerSample } from '@offramp/losses';
import { checkpointExists, fit, loadVariables, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURE, type Network } from './network.js';

export interface BackboneSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly progress: boolean;
}

/** Cache file of a trained backbone: the name changes with anything it was trained from. */
export function backbonePath(cacheDir: string, dataset: string, settings: BackboneSettings, trainSize: number): string {
  const key = JSON.stringify({ ARCHITECTURE, dataset, epochs: settings.epochs, batch: settings.batchSize, seed: settings.seed, trainSize });
  return join(cacheDir, `${dataset}-backbone-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.ckpt`);
}

/**
 * Trains the backbone with its own last head on cross-entropy (Adam), once: later runs load it from the
 * cache. JEI-DNN then keeps it frozen.
 */
export async function trainOrLoadBackbone(
  network: Network,
  dataset: string,
  train: ImageDataset,
  settings: BackboneSettings,
  cacheDir: string,
): Promise<{ fromCache: boolean; path: string; losses: number[] }> {
  const last = network.heads[network.heads.length - 1]!;
  const variables = [...network.backbone.variables, ...last.variables];
  const path = backbonePath(cacheDir, dataset, settings, train.n);
  if (await checkpointExists(path)) {
    await loadVariables(path, variables);
    return { fromCache: true, path, losses: [] };
  }
  const optimizer = tf.train.adam(2e-3);
  const result = await fit({
    variables,
    loss: (batch: { images: Float32Array; labels: Int32Array; size: number }) => {
      const x = tf.tensor4d(batch.images, [batch.size, ...ARCHITECTURE.inputShape]);
      const hidden = network.backbone.stages.reduce<tf.Tensor>((h, stage) => stage.apply(h, true), x);
      return crossEntropyPerSample(last.apply(hidden, true) as tf.Tensor2D, tf.tensor1d(batch.labels, 'int32')).mean() as tf.Scalar;
    },
    batches: (epoch: number) => batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, epoch }),
    batchesPerEpoch: countBatches(train.n, { batchSize: settings.batchSize }),
    epochs: settings.epochs,
    optimizer,
    progress: settings.progress ? `${dataset} backbone` : false,
  });
  optimizer.dispose();
  await saveVariables(path, variables);
  return { fromCache: false, path, losses: result.losses };
}
