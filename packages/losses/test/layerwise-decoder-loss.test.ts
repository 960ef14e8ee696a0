import * as tf from '@tensorflow/tfjs';
import { ArgumentError, InputShapeError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerwiseDecoderLoss, type SharedOutputHead } from '../src/index.js';
import { expectClose, finiteDifferences } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function identityHead(): SharedOutputHead {
  return { gamma: tf.ones([2]), beta: tf.zeros([2]), kernel: tf.eye(2) };
}

describe('layerwiseDecoderLoss', () => {
  it('sums the masked mean cross-entropy of the shared head over layers (hand-computed)', () => {
    const value = tf.tidy(() => {
      const head = identityHead();
      // layer 1: position 0 is [1, 3] -> LN [-a, a] with a = 1 / sqrt(1 + 1e-5); target 1: CE = log(1 + e^(-2a))
      // layer 2: position 0 is [2, 2] -> LN [0, 0]; CE = log 2. Position 1 is padding (-1) in both layers.
      const h1 = tf.tensor3d([[[1, 3], [5, 1]]]);
      const h2 = tf.tensor3d([[[2, 2], [0, 4]]]);
      const targets = tf.tensor2d([[1, -1]], undefined, 'int32');
      return layerwiseDecoderLoss([h1, h2], head, targets).dataSync()[0]!;
    });
    const a = 1 / Math.sqrt(1 + 1e-5);
    expect(value).toBeCloseTo(Math.log(1 + Math.exp(-2 * a)) + Math.log(2), 5);
    expect(value).toBeCloseTo(0.820075, 4);
  });

  it('averages over the kept positions and honours a custom ignore index and bias', () => {
    const value = tf.tidy(() => {
      const head = { ...identityHead(), bias: tf.tensor1d([0, Math.log(3)]) };
      // [0, 0] -> LN [0, 0] -> logits [0, log 3]: CE for target 1 = log(4 / 3), for target 0 = log 4
      const h = tf.tensor3d([[[0, 0], [1, 1]], [[7, 7], [2, 2]]]);
      const targets = tf.tensor2d([[1, 9], [0, 9]], undefined, 'int32');
      return layerwiseDecoderLoss([h], head, targets, { ignoreIndex: 9 }).dataSync()[0]!;
    });
    expect(value).toBeCloseTo((Math.log(4 / 3) + Math.log(4)) / 2, 5);
  });

  it('gives 0 when every target is ignored', () => {
    const value = tf.tidy(() =>
      layerwiseDecoderLoss([tf.ones([1, 2, 2])], identityHead(), tf.tensor2d([[-1, -1]], undefined, 'int32')).dataSync()[0],
    );
    expect(value).toBe(0);
  });

  it('has gradients that match finite differences', () => {
    const kernelValues = [
      [0.3, -0.7, 0.5],
      [-0.2, 0.4, 0.9],
      [0.8, 0.1, -0.6],
    ];
    const f = (x: tf.Tensor2D): tf.Scalar => {
      const head: SharedOutputHead = {
        gamma: tf.tensor1d([1.2, 0.8, 1]),
        beta: tf.tensor1d([0.1, -0.2, 0]),
        kernel: tf.tensor2d(kernelValues),
      };
      const targets = tf.tensor2d([[2, 0], [1, -1]], undefined, 'int32');
      const h1 = tf.reshape(x, [2, 2, 3]);
      const h2 = tf.mul(h1, tf.scalar(0.5));
      return layerwiseDecoderLoss([h1, h2], head, targets);
    };
    const values = [
      [0.5, -1, 2],
      [1, 0.3, -0.4],
      [-0.8, 1.5, 0.2],
      [0.1, 0.9, -1.1],
    ];
    const analytic = tf.tidy(() => tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(tf.tensor2d(values)).arraySync()) as number[][];
    expectClose(analytic, finiteDifferences(f, values, 1e-3), 2e-3);
    // the padded position gets no gradient
    expect(analytic[3]!.every((g) => g === 0)).toBe(true);
  });

  it('keeps no tensors', () => {
    const head = identityHead();
    const h = tf.ones([1, 2, 2]);
    const targets = tf.tensor2d([[1, 0]], undefined, 'int32');
    layerwiseDecoderLoss([h], head, targets).dispose();
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) layerwiseDecoderLoss([h, h], head, targets).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad shapes', () => {
    const head = identityHead();
    const targets = tf.tensor2d([[1, 0]], undefined, 'int32');
    expect(() => layerwiseDecoderLoss([], head, targets)).toThrow(ArgumentError);
    expect(() => layerwiseDecoderLoss([tf.ones([1, 3, 2])], head, targets)).toThrow(InputShapeError);
    expect(() => layerwiseDecoderLoss([tf.ones([1, 2, 2])], head, tf.tensor2d([[1, 0]]))).toThrow(InputShapeError);
  });
});
