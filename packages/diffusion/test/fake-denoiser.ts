import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../src/index.js';

/** A denoiser with no weights: v = rule(x, s), for tests with hand-computed answers. */
export function fakeDenoiser(rule: (x: tf.Tensor4D, s: tf.Tensor4D) => tf.Tensor4D): Denoiser {
  return {
    name: 'fake',
    channels: 1,
    sizeDivisor: 2,
    variables: [],
    predict: (x, t) => tf.tidy(() => rule(x, tf.reshape(t, [-1, 1, 1, 1]) as tf.Tensor4D)),
    dispose: () => {},
  };
}
