import { fitTemperatures } from '@offramp/calibration';
import { shapeSize } from '@offramp/core';
import type { TfModule } from '@offramp/heads';
import { cachedLogits, type FeatureCache } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';

/** The first `n` samples of a feature cache (views, no copy). */
export function firstSamples(cache: FeatureCache, n: number): FeatureCache {
  return {
    n,
    shapes: cache.shapes,
    labels: cache.labels.subarray(0, n),
    features: cache.features.map((f, l) => f.subarray(0, n * shapeSize(cache.shapes[l]!))),
  };
}

/**
 * Temperature scaling folded into the heads: fits one temperature T per exit on `calibration` (the NLL
 * minimiser) and divides the last layer's kernel and bias of each head by it, so the exported heads give
 * softmax(z / T) and every runner sees the calibrated probabilities. Predictions do not change. Returns T per exit.
 */
export async function scaleHeadsByTemperature(heads: readonly TfModule[], calibration: FeatureCache, classes: number): Promise<number[]> {
  const temperatures = fitTemperatures(await cachedLogits(calibration, heads), calibration.labels, classes);
  heads.forEach((head, l) => {
    const [kernel, bias] = head.variables.slice(-2);
    for (const v of [kernel!, bias!]) {
      const scaled = tf.tidy(() => tf.div(v, temperatures[l]!));
      v.assign(scaled);
      scaled.dispose();
    }
  });
  return temperatures;
}
