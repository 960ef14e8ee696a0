import { createRng } from '@offramp/core';
import { epochSeed } from '@offramp/data';
import { createUnet, type Denoiser, flowMatchingLoss, gaussianNoise, takeImages } from '@offramp/diffusion';
import { checkpointExists, checkpointPath, fit, loadVariables, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import { type DigitSets, setsAt } from './data.js';
import type { NoiseShiftOptions } from './options.js';

export interface TrainedDenoiser {
  readonly denoiser: Denoiser;
  /** The checkpoint file; the noise tables are kept beside it. */
  readonly checkpoint: string;
  readonly fromCache: boolean;
  readonly seconds: number;
  readonly losses: number[];
}

interface FlowBatch {
  readonly side: number;
  readonly rows: Int32Array;
  readonly seed: number;
}

/**
 * One epoch of batches over the training images in a seeded order; batch b is at side
 * sides[b % sides.length], so with several sides each sees the same number of batches.
 */
function flowBatches(n: number, batchSize: number, sides: readonly number[], seed: number, epoch: number): FlowBatch[] {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  createRng(epochSeed(seed, epoch)).shuffle(order);
  const count = Math.floor(n / batchSize);
  return Array.from({ length: count }, (_, b) => ({
    side: sides[b % sides.length]!,
    rows: order.slice(b * batchSize, (b + 1) * batchSize),
    seed: epochSeed(seed + 1, epoch * count + b),
  }));
}

/**
 * Trains a UNet with the rectified-flow loss (t uniform in [0, 1], Adam) on the training images at `sides`,
 * or loads it from the cache when a checkpoint for the same settings exists.
 */
export async function trainOrLoadDenoiser(
  sets: DigitSets,
  o: NoiseShiftOptions,
  role: { name: string; sides: readonly number[]; epochs: number },
): Promise<TrainedDenoiser> {
  const denoiser = createUnet({ widths: o.widths, embedding: o.embedding, seed: o.seed, name: role.name });
  const train = role.sides.map((side) => setsAt(sets, side).train.images);
  const key = {
    model: 'unet', widths: o.widths, embedding: o.embedding, sides: role.sides, epochs: role.epochs,
    batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, split: o.split, n: train[0]!.n,
  };
  const checkpoint = checkpointPath(o.cacheDir, role.name, key);
  const variables = [...denoiser.variables];
  if (await checkpointExists(checkpoint)) {
    await loadVariables(checkpoint, variables);
    return { denoiser, checkpoint, fromCache: true, seconds: 0, losses: [] };
  }
  const started = Date.now();
  const bySide = new Map(role.sides.map((side, i) => [side, train[i]!]));
  const n = train[0]!.n;
  const optimizer = tf.train.adam(o.learningRate);
  try {
    const result = await fit<FlowBatch>({
      variables,
      loss: (batch) => {
        const images = takeImages(bySide.get(batch.side)!, batch.rows);
        const rng = createRng(batch.seed);
        const shape: [number, number, number, number] = [images.n, batch.side, batch.side, 1];
        const x0 = tf.tensor4d(images.pixels, shape);
        const eps = tf.tensor4d(gaussianNoise(rng, images.pixels.length), shape);
        const t = tf.tensor1d(Float32Array.from({ length: images.n }, () => rng.next()));
        return flowMatchingLoss(denoiser, x0, eps, t);
      },
      batches: (epoch) => flowBatches(n, o.batchSize, role.sides, o.seed, epoch),
      batchesPerEpoch: Math.floor(n / o.batchSize),
      epochs: role.epochs,
      optimizer,
      progress: o.progress ? `${role.name} (${role.sides.map((s) => `${s}x${s}`).join(', ')})` : false,
      onEpochEnd: (epoch, loss) => {
        o.log(`${role.name}: epoch ${epoch + 1}/${role.epochs}, loss ${loss.toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      },
    });
    await saveVariables(checkpoint, variables);
    return { denoiser, checkpoint, fromCache: false, seconds: (Date.now() - started) / 1000, losses: result.losses };
  } finally {
    optimizer.dispose();
  }
}
