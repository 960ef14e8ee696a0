import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { takeRows } from '@offramp/core';
import { batches, countBatches, type ImageDataset } from '@offramp/data';
import { crossEntropyPerSample, multiExitCrossEntropy } from '@offramp/losses';
import { checkpointExists, fit, loadVariables, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import { DIGITS_ARCHITECTURE, type DigitsNetwork } from './network.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly headEpochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly progress: boolean;
}

function imagesTensor(images: Float32Array, size: number): tf.Tensor4D {
  return tf.tensor4d(images, [size, ...DIGITS_ARCHITECTURE.inputShape]);
}

/** Where the trained backbone is cached: the name changes whenever what it was trained from changes. */
export function backboneCheckpointPath(cacheDir: string, settings: TrainSettings, trainSize: number): string {
  const key = JSON.stringify({ DIGITS_ARCHITECTURE, epochs: settings.epochs, batch: settings.batchSize, seed: settings.seed, trainSize });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return join(cacheDir, `digits-backbone-${hash}.ckpt`);
}

/**
 * Trains the backbone with its own (last) head on cross-entropy, or loads both from the cache when
 * they were trained before with the same settings. Returns whether it loaded from the cache.
 */
export async function trainOrLoadBackbone(
  network: DigitsNetwork,
  train: ImageDataset,
  settings: TrainSettings,
  cacheDir: string,
): Promise<{ fromCache: boolean; path: string; losses: number[] }> {
  const last = network.heads[network.heads.length - 1]!;
  const variables = [...network.backbone.variables, ...last.variables];
  const path = backboneCheckpointPath(cacheDir, settings, train.n);
  if (await checkpointExists(path)) {
    await loadVariables(path, variables);
    return { fromCache: true, path, losses: [] };
  }
  const optimizer = tf.train.adam(2e-3);
  const result = await fit({
    variables,
    loss: (batch: { images: Float32Array; labels: Int32Array; size: number }) => {
      const x = imagesTensor(batch.images, batch.size);
      const hidden = network.backbone.stages.reduce<tf.Tensor>((h, stage) => stage.apply(h, true), x);
      const labels = tf.tensor1d(batch.labels, 'int32');
      return crossEntropyPerSample(last.apply(hidden, true) as tf.Tensor2D, labels).mean() as tf.Scalar;
    },
    batches: (epoch: number) => batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, epoch }),
    batchesPerEpoch: countBatches(train.n, { batchSize: settings.batchSize }),
    epochs: settings.epochs,
    optimizer,
    progress: settings.progress ? 'backbone' : false,
  });
  optimizer.dispose();
  await saveVariables(path, variables);
  return { fromCache: false, path, losses: result.losses };
}

/** Features of every stage for a whole data set, on the host (the feature cache for head training). */
export async function stageFeatures(network: DigitsNetwork, data: ImageDataset, batchSize = 256): Promise<Float32Array[]> {
  const stages = network.backbone.stages;
  const sizes = stages.map((s) => s.outputShape.reduce((a, b) => a * b, 1));
  const out = sizes.map((size) => new Float32Array(data.n * size));
  const perImage = DIGITS_ARCHITECTURE.inputShape.reduce((a, b) => a * b, 1);
  for (let start = 0; start < data.n; start += batchSize) {
    const size = Math.min(batchSize, data.n - start);
    const features = tf.tidy(() => {
      let h: tf.Tensor = imagesTensor(data.images.subarray(start * perImage, (start + size) * perImage), size);
      return stages.map((stage) => {
        h = stage.apply(h, false);
        return h;
      });
    });
    for (let l = 0; l < stages.length; l++) out[l]!.set(await features[l]!.data(), start * sizes[l]!);
    tf.dispose(features);
  }
  return out;
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
  const features = await stageFeatures(network, train);
  const shapes = network.backbone.stages.map((s) => [...s.outputShape]);
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const optimizer = tf.train.adam(3e-3);
  const result = await fit({
    variables: early.flatMap((head) => [...head.variables]),
    loss: (batch: { labels: Int32Array; size: number; indices: Int32Array }) => {
      const labels = tf.tensor1d(batch.labels, 'int32');
      const logits = early.map((head, l) => {
        const x = tf.tensor(takeRows(features[l]!, sizes[l]!, batch.indices), [batch.size, ...shapes[l]!]);
        return head.apply(x, true) as tf.Tensor2D;
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
