import { CountMismatchError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { estimateClean, flowMatchingLoss, noisyImages } from '../src/index.js';
import { fakeDenoiser } from './fake-denoiser.js';

describe('rectified flow', () => {
  it('interpolates x_t = (1 - t) x0 + t eps per image', () => {
    const x0 = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    const eps = tf.tensor4d([-1, 4], [2, 1, 1, 1]);
    const xt = noisyImages(x0, eps, tf.tensor1d([0.25, 0.5]));
    expect(Array.from(xt.dataSync())).toEqual([0.5, 3]);
    expect(() => noisyImages(x0, eps, tf.tensor1d([0.5]))).toThrow(CountMismatchError);
    tf.dispose([x0, eps, xt]);
  });
  it('the loss of v = 0 is mean((eps - x0)^2); x0 is recovered from the true velocity', () => {
    const x0 = tf.tensor4d([1, 2, 0, 0], [1, 2, 2, 1]);
    const eps = tf.tensor4d([0, 0, 3, -1], [1, 2, 2, 1]);
    const t = tf.tensor1d([0.3]);
    const loss = flowMatchingLoss(fakeDenoiser((x) => tf.zerosLike(x)), x0, eps, t);
    expect(loss.dataSync()[0]).toBeCloseTo((1 + 4 + 9 + 1) / 4, 6);
    const xt = noisyImages(x0, eps, t);
    const back = estimateClean(xt, tf.sub(eps, x0) as tf.Tensor4D, t);
    expect(Array.from(back.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([1, 2, 0, 0]);
    tf.dispose([x0, eps, t, loss, xt, back]);
  });
});
