import { batches, countBatches, type ImageDataset } from '@offramp/data';
import { multiExitCrossEntropy } from '@offramp/losses';
import { cacheStageFeatures, checkpointPath, featureTensor, fit, trainOrLoadBackbone } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import { DIGITS_ARCHITECTURE, type DigitsNetwork } from './network.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly headEpochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly progress: boolean;
}

/** Where the trained backbone is cached: the name changes whenever what it was trained from changes. */
export function backboneCheckpointPath(cacheDir: string, settings: TrainSettings, trainSize: number): string {
  return checkpointPath(cacheDir, 'digits-backbone', {
    DIGITS_ARCHITECTURE,
    // the variables are named after the config's name (digits-cnn, digits-cnn-head2)
    names: 'digits-cnn',
    epochs: settings.epochs,
    batch: settings.batchSize,
    seed: settings.seed,
    trainSize,
  });
}

/**
 * Trains the backbone with its own (last) head on cross-entropy, or loads both from the cache when
 * they were trained before with the same settings.
 */
export function trainOrLoadDigitsBackbone(
  network: DigitsNetwork,
  train: ImageDataset,
  settings: TrainSettings,
  cacheDir: string,
): Promise<{ fromCache: boolean; path: string; losses: number[] }> {
  return trainOrLoadBackbone({
    stages: network.backbone.stages,
    head: network.heads[network.heads.length - 1]!,
    inputShape: DIGITS_ARCHITECTURE.inputShape,
    batches: (epoch: number) => batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, epoch }),
    batchesPerEpoch: countBatches(train.n, { batchSize: settings.batchSize }),
    epochs: settings.epochs,
    progress: settings.progress ? 'backbone' : false,
    checkpoint: backboneCheckpointPath(cacheDir, settings, train.n),
  });
}

/**
 * Trains the heads of the early exits on the frozen backbone's cached features with the weighted
 * multi-exit cross-entropy (uniform weights: each early head learns from its own features).
 */
export async function trainEarlyHeads(
  network: DigitsNetwork,
  train: ImageDataset,
  settings: TrainSettings,
): Promise<number[]> {
  const early = network.heads.slice(0, -1);
  const cache = await cacheStageFeatures(network.backbone.stages, train, DIGITS_ARCHITECTURE.inputShape);
  const optimizer = tf.train.adam(3e-3);
  const result = await fit({
    variables: early.flatMap((head) => [...head.variables]),
    loss: (batch: { labels: Int32Array; size: number; indices: Int32Array }) => {
      const labels = tf.tensor1d(batch.labels, 'int32');
      const logits = early.map((head, l) => {
        return head.apply(featureTensor(cache, l, batch.indices), true) as tf.Tensor2D;
      });
      return multiExitCrossEntropy(logits, labels);
    },
    batches: (epoch: number) =>
      batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed + 1, epoch }),
    batchesPerEpoch: countBatches(train.n, { batchSize: settings.batchSize }),
    epochs: settings.headEpochs,
    optimizer,
    progress: settings.progress ? 'early heads' : false,
  });
  optimizer.dispose();
  return result.losses;
}
