import { CountMismatchError, createRng, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createUnet, flowMatchingLoss, gaussianNoise } from '../src/index.js';

describe('createUnet', () => {
  it('keeps the input shape at any even resolution', () => {
    const net = createUnet({ widths: [4, 8], embedding: 8, seed: 1 });
    for (const size of [8, 6, 4]) {
      const y = net.predict(tf.zeros([2, size, size, 1]) as tf.Tensor4D, tf.tensor1d([0.1, 0.9]));
      expect(y.shape).toEqual([2, size, size, 1]);
      y.dispose();
    }
    net.dispose();
  });

  it('depends on the noise level and gives the same weights for the same seed', () => {
    const a = createUnet({ widths: [4, 8], embedding: 8, seed: 3 });
    const b = createUnet({ widths: [4, 8], embedding: 8, seed: 3 });
    const x = tf.tensor4d(gaussianNoise(createRng(1), 2 * 64), [2, 8, 8, 1]);
    const ya = a.predict(x, tf.tensor1d([0.2, 0.2]));
    const yb = b.predict(x, tf.tensor1d([0.2, 0.2]));
    const yc = a.predict(x, tf.tensor1d([0.9, 0.9]));
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    expect(tf.max(tf.abs(tf.sub(ya, yc))).dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([x, ya, yb, yc]);
    a.dispose();
    b.dispose();
  });

  it('rejects an odd side, the wrong channels and a level count that differs from the batch', () => {
    const net = createUnet({ widths: [2, 4], embedding: 4 });
    const t = tf.tensor1d([0.5]);
    expect(() => net.predict(tf.zeros([1, 7, 8, 1]) as tf.Tensor4D, t)).toThrow(InputShapeError);
    expect(() => net.predict(tf.zeros([1, 8, 7, 1]) as tf.Tensor4D, t)).toThrow(/x.shape\[2\]: expected an even side/);
    expect(() => net.predict(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, t)).toThrow(/x.shape\[3\]/);
    expect(() => net.predict(tf.zeros([2, 8, 8, 1]) as tf.Tensor4D, t)).toThrow(CountMismatchError);
    net.dispose();
    expect(() => net.predict(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, t)).toThrow(/disposed/);
  });

  it('leaks no tensors over repeated forward passes and training steps, and the loss goes down', () => {
    const net = createUnet({ widths: [4, 8], embedding: 8, seed: 2 });
    const rng = createRng(5);
    // a fixed tiny "data set": two blobs
    const x0 = tf.tidy(() => tf.tile(tf.tensor4d([-1, 1, 1, -1], [1, 2, 2, 1]), [8, 4, 4, 1]) as tf.Tensor4D);
    const optimizer = tf.train.adam(1e-2);
    const variables = [...net.variables];
    const step = (): number => {
      const eps = tf.tensor4d(gaussianNoise(rng, 8 * 64), [8, 8, 8, 1]);
      const t = tf.tensor1d(Array.from({ length: 8 }, () => rng.next()));
      const cost = optimizer.minimize(() => flowMatchingLoss(net, x0, eps, t), true, variables)!;
      const value = cost.dataSync()[0]!;
      tf.dispose([cost, eps, t]);
      return value;
    };
    step();
    const before = tf.memory().numTensors;
    const losses = Array.from({ length: 30 }, step);
    expect(tf.memory().numTensors).toBe(before);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    tf.dispose(x0);
    optimizer.dispose();
    net.dispose();
  }, 180_000); // tens of seconds of wasm training steps: slow when the cores are shared
});
