import { createCnnBackbone } from '@offramp/backbones';
import type { Module } from '@offramp/core';
import { batches, countBatches, createImageDataset } from '@offramp/data';
import { gaussianStatistics, type GaussianStatistics, type ImageBatch } from '@offramp/diffusion';
import { checkpointPath, trainOrLoadBackbone } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from './data.js';
import { denseModule } from './dense-module.js';
import type { NoiseShiftOptions } from './options.js';

type TfModule = Module<tf.Tensor, tf.Variable>;

/** A digit classifier at one side: conv 3x3 (16) + pool, conv 3x3 (32) + pool, dense features + ReLU, linear head. */
export interface DigitClassifier {
  readonly side: number;
  readonly stages: readonly TfModule[];
  readonly head: TfModule;
  readonly fromCache: boolean;
  dispose(): void;
}

/** Trains the classifier of one side on the training digits (or loads it), images in [-1, 1]. */
export async function trainOrLoadClassifier(side: number, train: LabelledImages, o: NoiseShiftOptions): Promise<DigitClassifier> {
  const name = `classifier-${side}`;
  const cnn = createCnnBackbone({
    inputShape: [side, side, 1],
    stages: [
      { filters: 16, kernelSize: 3, pool: 'max' },
      { filters: 32, kernelSize: 3, pool: 'max' },
    ],
    seed: o.seed,
    name,
  });
  const features = denseModule({ name: `${name}/features`, inputShape: cnn.stages.at(-1)!.outputShape, units: o.featureSize, relu: true, seed: o.seed + 10 });
  const head = denseModule({ name: `${name}/head`, inputShape: [o.featureSize], units: 10, relu: false, seed: o.seed + 11 });
  const stages = [...cnn.stages, features];
  const ds = createImageDataset(train.images.pixels, train.labels, [side, side, 1], 10);
  const batchSize = 64;
  const result = await trainOrLoadBackbone({
    stages,
    head,
    inputShape: [side, side, 1],
    batches: (epoch) => batches(ds, { batchSize, shuffle: true, seed: o.seed, epoch }),
    batchesPerEpoch: countBatches(ds.n, { batchSize }),
    epochs: o.classifierEpochs,
    progress: o.progress ? `classifier ${side}x${side}` : false,
    checkpoint: checkpointPath(o.cacheDir, name, { side, epochs: o.classifierEpochs, featureSize: o.featureSize, seed: o.seed, n: ds.n, split: o.split }),
  });
  return {
    side,
    stages,
    head,
    fromCache: result.fromCache,
    dispose: () => {
      for (const m of [...stages, head]) m.dispose();
    },
  };
}

function forEachBatch(classifier: DigitClassifier, images: ImageBatch, onBatch: (features: tf.Tensor, start: number) => void): void {
  const per = images.size * images.size;
  for (let start = 0; start < images.n; start += 256) {
    const rows = Math.min(256, images.n - start);
    tf.tidy(() => {
      const x = tf.clipByValue(tf.tensor4d(images.pixels.subarray(start * per, (start + rows) * per), [rows, images.size, images.size, 1]), -1, 1);
      onBatch(classifier.stages.reduce<tf.Tensor>((h, stage) => stage.apply(h), x), start);
    });
  }
}

/** Feature-layer activations (n x featureSize) of images in [-1, 1] (clipped to that range first). */
export function classifierFeatures(classifier: DigitClassifier, images: ImageBatch): Float32Array {
  const size = classifier.head.inputShape[0]!;
  const out = new Float32Array(images.n * size);
  forEachBatch(classifier, images, (features, start) => out.set(features.dataSync(), start * size));
  return out;
}

/** Mean and covariance of the classifier's features of `images`: one side of a Frechet distance. */
export function featureStatistics(classifier: DigitClassifier, images: ImageBatch): GaussianStatistics {
  return gaussianStatistics(classifierFeatures(classifier, images), classifier.head.inputShape[0]!);
}

/** Predicted digit of each image. */
export function classify(classifier: DigitClassifier, images: ImageBatch): Int32Array {
  const out = new Int32Array(images.n);
  forEachBatch(classifier, images, (features, start) => {
    out.set(tf.argMax(classifier.head.apply(features), 1).dataSync(), start);
  });
  return out;
}

/** Share of `set` the classifier labels right. */
export function classifierAccuracy(classifier: DigitClassifier, set: LabelledImages): number {
  const predicted = classify(classifier, set.images);
  let right = 0;
  predicted.forEach((p, i) => {
    if (p === set.labels[i]) right += 1;
  });
  return right / set.labels.length;
}
