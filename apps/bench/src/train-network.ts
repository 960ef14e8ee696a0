import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { batches, countBatches, type ImageDataset } from '@offramp/data';
import { crossEntropyPerSample, multiExitCrossEntropy } from '@offramp/losses';
import { checkpointExists, fit, loadVariables, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import type { BenchNetwork } from './networks.js';

export interface TrainSettings {
  /** Epochs of the backbone with its last head. */
  readonly epochs: number;
  /** Epochs of the early heads on the frozen backbone. */
  readonly headEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly progress: boolean;
}

export function checkpointPath(cacheDir: string, network: BenchNetwork, settings: TrainSettings, trainSize: number): string {
  const key = JSON.stringify({
    name: network.name,
    architecture: network.architecture,
    epochs: settings.epochs,
    headEpochs: settings.headEpochs,
    batch: settings.batchSize,
    lr: settings.learningRate,
    seed: settings.seed,
    trainSize,
  });
  return join(cacheDir, `${network.name}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}.ckpt`);
}

function forward(network: BenchNetwork, images: Float32Array, size: number, training: boolean): tf.Tensor[] {
  let h: tf.Tensor = tf.tensor(images, [size, ...network.inputShape]);
  return network.backbone.stages.map((stage) => {
    h = stage.apply(h, training);
    return h;
  });
}

/**
 * Trains the backbone with its own last head (so the full model is a normally trained network),
 * then the early heads on the frozen backbone with the multi-exit cross-entropy; or loads all the
 * weights cached by an earlier run with the same settings.
 */
export async function trainOrLoad(
  network: BenchNetwork,
  train: ImageDataset,
  settings: TrainSettings,
  cacheDir: string,
): Promise<{ fromCache: boolean; path: string }> {
  const last = network.heads[network.heads.length - 1]!;
  const early = network.heads.slice(0, -1);
  const all = [...network.backbone.variables, ...network.heads.flatMap((h) => [...h.variables])];
  const path = checkpointPath(cacheDir, network, settings, train.n);
  if (await checkpointExists(path)) {
    await loadVariables(path, all);
    return { fromCache: true, path };
  }
  const batchesPerEpoch = countBatches(train.n, { batchSize: settings.batchSize });
  const backboneOptimizer = tf.train.adam(settings.learningRate);
  await fit({
    variables: [...network.backbone.variables, ...last.variables],
    loss: (batch: { images: Float32Array; labels: Int32Array; size: number }) => {
      const features = forward(network, batch.images, batch.size, true);
      const logits = last.apply(features[features.length - 1]!, true) as tf.Tensor2D;
      return crossEntropyPerSample(logits, tf.tensor1d(batch.labels, 'int32')).mean() as tf.Scalar;
    },
    batches: (epoch: number) => batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, epoch }),
    batchesPerEpoch,
    epochs: settings.epochs,
    optimizer: backboneOptimizer,
    progress: settings.progress ? `${network.name} backbone` : false,
  });
  backboneOptimizer.dispose();
  const headOptimizer = tf.train.adam(settings.learningRate * 2);
  await fit({
    variables: early.flatMap((h) => [...h.variables]),
    loss: (batch: { images: Float32Array; labels: Int32Array; size: number }) => {
      const features = forward(network, batch.images, batch.size, false);
      const logits = early.map((head, l) => head.apply(features[l]!, true) as tf.Tensor2D);
      return multiExitCrossEntropy(logits, tf.tensor1d(batch.labels, 'int32'));
    },
    batches: (epoch: number) =>
      batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed + 1, epoch }),
    batchesPerEpoch,
    epochs: settings.headEpochs,
    optimizer: headOptimizer,
    progress: settings.progress ? `${network.name} early heads` : false,
  });
  headOptimizer.dispose();
  await saveVariables(path, all);
  return { fromCache: false, path };
}
