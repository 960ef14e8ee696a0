import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { conv2dSame } from '../src/index.js';

const seeded = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const loss = (conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, weights: tf.Tensor) => (x: tf.Tensor, w: tf.Tensor) =>
  tf.sum(tf.mul(conv(x as tf.Tensor4D, w as tf.Tensor4D), weights));

describe('conv2dSame', () => {
  it('equals tf.conv2d forward and in both gradients (3x3 and 1x1 kernels)', () => {
    for (const k of [3, 1]) {
      const x = seeded([2, 6, 4, 3], 1) as tf.Tensor4D;
      const w = seeded([k, k, 3, 5], 2) as tf.Tensor4D;
      const r = seeded([2, 6, 4, 5], 3);
      const ours = tf.grads(loss(conv2dSame, r))([x, w]);
      const theirs = tf.grads(loss((a, b) => tf.conv2d(a, b, 1, 'same'), r))([x, w]);
      expect(tf.max(tf.abs(tf.sub(conv2dSame(x, w), tf.conv2d(x, w, 1, 'same')))).dataSync()[0]).toBeLessThan(1e-5);
      expect(tf.max(tf.abs(tf.sub(ours[0]!, theirs[0]!))).dataSync()[0]).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(tf.sub(ours[1]!, theirs[1]!))).dataSync()[0]).toBeLessThan(1e-4);
      tf.dispose([x, w, r, ...ours, ...theirs]);
    }
  });

  it('matches central finite differences of the loss', () => {
    const x = seeded([1, 4, 4, 2], 4);
    const w = seeded([3, 3, 2, 2], 5);
    const r = seeded([1, 4, 4, 2], 6);
    const f = loss(conv2dSame, r);
    const [dx, dw] = tf.grads(f)([x, w]);
    const h = 1e-2;
    const probe = (t: tf.Tensor, index: number, other: (p: tf.Tensor) => number): number => {
      const values = t.dataSync().slice();
      values[index]! += h;
      const plus = other(tf.tensor(values, t.shape));
      values[index]! -= 2 * h;
      const minus = other(tf.tensor(values, t.shape));
      return (plus - minus) / (2 * h);
    };
    const dxv = dx!.dataSync();
    const dwv = dw!.dataSync();
    for (const i of [0, 5, 13, 31]) {
      expect(probe(x, i, (p) => f(p, w).dataSync()[0]!)).toBeCloseTo(dxv[i]!, 2);
    }
    for (const i of [0, 7, 20, 35]) {
      expect(probe(w, i, (p) => f(x, p).dataSync()[0]!)).toBeCloseTo(dwv[i]!, 2);
    }
  });

  it('rejects an even or non-square kernel', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => conv2dSame(x, tf.zeros([2, 2, 1, 1]) as tf.Tensor4D)).toThrow(ArgumentError);
    expect(() => conv2dSame(x, tf.zeros([3, 1, 1, 1]) as tf.Tensor4D)).toThrow(/kernel.shape/);
  });
});
