import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyPerSample } from '../src/index.js';
import { expectClose, finiteDifferences } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const logitValues = [
  [1, 2, 3],
  [0.5, -1, 2],
  [-2, 0.3, 0.1],
  [4, -3, 1],
];
const labelValues = [2, 0, 1, 2];

describe('crossEntropyPerSample', () => {
  it('matches the hand-computed value for logits [1, 2, 3] and label 2', () => {
    const ce = tf.tidy(() => crossEntropyPerSample(tf.tensor2d([[1, 2, 3]]), tf.tensor1d([2], 'int32')).arraySync());
    // log(e^1 + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2) = 0.40760596...
    expect(ce[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 6);
    expect(ce[0]).toBeCloseTo(0.407606, 6);
  });

  it('gives one value per row, log(C) for equal logits', () => {
    const ce = tf.tidy(() =>
      crossEntropyPerSample(tf.tensor2d([[0, 0, 0, 0], [5, 5, 5, 5]]), tf.tensor1d([3, 1], 'int32')).arraySync(),
    );
    expect(ce).toHaveLength(2);
    expect(ce[0]).toBeCloseTo(Math.log(4), 6);
    expect(ce[1]).toBeCloseTo(Math.log(4), 6);
  });

  it('stays finite for very large logits', () => {
    const ce = tf.tidy(() =>
      crossEntropyPerSample(tf.tensor2d([[1000, 0, -1000]]), tf.tensor1d([1], 'int32')).arraySync(),
    );
    expect(ce[0]).toBeCloseTo(1000, 3);
  });

  it('has gradient softmax - onehot, matching central finite differences', () => {
    const labels = tf.tensor1d(labelValues, 'int32');
    const weights = tf.tensor1d([1, -0.5, 2, 0.25]);
    const f = (x: tf.Tensor2D): tf.Scalar => tf.sum(tf.mul(crossEntropyPerSample(x, labels), weights));
    const gradient = tf.tidy(() => (tf.grad((x) => f(x as tf.Tensor2D))(tf.tensor2d(logitValues)) as tf.Tensor2D).arraySync());
    const numeric = finiteDifferences(f, logitValues);
    expectClose(gradient, numeric, 1e-3);
    const w = [1, -0.5, 2, 0.25];
    const analytic = logitValues.map((row, i) => {
      const z = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - z), 0);
      return row.map((v, j) => w[i]! * (Math.exp(v - z) / sum - (j === labelValues[i] ? 1 : 0)));
    });
    expectClose(gradient, analytic, 1e-6);
    tf.dispose([labels, weights]);
  });

  it('leaves no tensors behind', () => {
    const logits = tf.tensor2d(logitValues);
    const labels = tf.tensor1d(labelValues, 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) crossEntropyPerSample(logits, labels).dispose();
    tf.grad((x) => tf.sum(crossEntropyPerSample(x as tf.Tensor2D, labels)))(logits).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, labels]);
  });

  it('rejects mismatched batch sizes, float labels and wrong ranks, naming the field', () => {
    const logits = tf.tensor2d(logitValues);
    const before = tf.memory().numTensors;
    const three = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => crossEntropyPerSample(logits, three)).toThrow(CountMismatchError);
    expect(() => crossEntropyPerSample(logits, three)).toThrow(/^logits.shape\[0\]: expected 3 rows/);
    const floats = tf.tensor1d([0, 1, 2, 0]);
    expect(() => crossEntropyPerSample(logits, floats)).toThrow(ArgumentError);
    expect(() => crossEntropyPerSample(logits, floats)).toThrow(/^labels.dtype: expected int32, received float32/);
    const flat = tf.tensor1d([1, 2, 3]);
    expect(() => crossEntropyPerSample(flat as unknown as tf.Tensor2D, three)).toThrow(InputShapeError);
    tf.dispose([three, floats, flat]);
    expect(tf.memory().numTensors).toBe(before);
    logits.dispose();
  });
});
