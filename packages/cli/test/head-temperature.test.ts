import { fitTemperature } from '@offramp/calibration';
import { createLinearHead, createMlpHead } from '@offramp/heads';
import { cachedLogits, type FeatureCache } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { firstSamples, scaleHeadsByTemperature } from '../src/head-temperature.js';
import { identityHead } from '../src/head-training.js';

function cache(n: number): FeatureCache {
  const features = Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 1.7) * 3);
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
  return { n, shapes: [[6], [6]], features: [features, features.map((v) => -v)], labels };
}

describe('temperature folded into the heads', () => {
  it('divides the logits of linear and MLP heads by the fitted temperature, predictions unchanged', async () => {
    const data = cache(40);
    const heads = [
      createLinearHead({ inputShape: [6], classes: 3, seed: 1 }),
      createMlpHead({ inputShape: [6], classes: 3, hidden: 5, seed: 2 }),
    ];
    const before = await cachedLogits(data, heads);
    const calibration = firstSamples(data, 30);
    expect(calibration.labels).toHaveLength(30);
    expect(calibration.features[1]).toHaveLength(180);
    const tensors = tf.memory().numTensors;
    const temperatures = await scaleHeadsByTemperature(heads, calibration, 3);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await cachedLogits(data, heads);
    temperatures.forEach((t, l) => {
      expect(t).toBeCloseTo(fitTemperature(before[l]!.subarray(0, 90), calibration.labels, 3), 6);
      after[l]!.forEach((z, i) => {
        expect(z).toBeCloseTo(before[l]![i]! / t, 4);
      });
    });
    for (const h of heads) h.dispose();
  });
});

describe('the identity head of a last exit at the model output', () => {
  it('passes the class scores through unchanged and reports their accuracy', async () => {
    const scores = Float32Array.of(2, -1, 0.5, 0, 3, 1, -2, -1, -3);
    const { head, validationAccuracy } = identityHead(3, { features: scores, labels: Int32Array.of(0, 1, 0) });
    expect(validationAccuracy).toBeCloseTo(2 / 3, 12);
    const [logits] = await cachedLogits({ n: 3, shapes: [[3]], features: [scores], labels: Int32Array.of(0, 1, 0) }, [head]);
    expect(Array.from(logits!)).toEqual(Array.from(scores));
    head.dispose();
  });
});
