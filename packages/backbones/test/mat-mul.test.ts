import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matMulPlain, matMulTransposed } from '../src/transformer/mat-mul.js';
import { randomArray } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function close(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('matMulPlain and matMulTransposed', () => {
  it('match tf.matMul in value and gradient (rank 2 and batched rank 4)', () => {
    tf.tidy(() => {
      const a = tf.tensor(randomArray(2 * 3 * 4 * 5, 1), [2, 3, 4, 5]);
      const b = tf.tensor(randomArray(2 * 3 * 5 * 6, 2), [2, 3, 5, 6]);
      const c = tf.tensor(randomArray(2 * 3 * 6 * 5, 3), [2, 3, 6, 5]);
      expect(close(matMulPlain(a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
      expect(close(matMulTransposed(a, c), tf.matMul(a, c, false, true))).toBeLessThan(1e-5);
      const weights = tf.tensor(randomArray(2 * 3 * 4 * 6, 4), [2, 3, 4, 6]);
      const mine = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulTransposed(x, y), weights)))([a, c]);
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), weights)))([a, c]);
      expect(close(mine[0]!, ref[0]!)).toBeLessThan(1e-5);
      expect(close(mine[1]!, ref[1]!)).toBeLessThan(1e-5);
      const p = tf.tensor2d([[1, 2], [3, 4]]);
      const q = tf.tensor2d([[5], [6]]);
      expect(matMulPlain(p, q).arraySync()).toEqual([[17], [39]]);
      const [gp, gq] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMulPlain(x, y)))([p, q]);
      // d/dP sum(P Q) = 1 Q^T; d/dQ = P^T 1
      expect(gp!.arraySync()).toEqual([[5, 6], [5, 6]]);
      expect(gq!.arraySync()).toEqual([[4], [6]]);
    });
  });
});
