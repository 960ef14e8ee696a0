import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { multiExitCrossEntropy, warmupWeights } from '../src/index.js';
import { expectClose, finiteDifferences } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** -log softmax(row)[label], in float64. */
function ce(row: number[], label: number): number {
  const z = Math.max(...row);
  return Math.log(row.reduce((s, v) => s + Math.exp(v - z), 0)) + z - row[label]!;
}

const exit1 = [
  [1, 2, 3],
  [0, 0, 0],
];
const exit2 = [
  [3, 1, -1],
  [0.5, 2.5, 0],
];
const labelValues = [2, 1];

describe('multiExitCrossEntropy', () => {
  it('is the plain sum of per-exit mean CE with default weights', () => {
    const labels = tf.tensor1d(labelValues, 'int32');
    const value = tf.tidy(() =>
      multiExitCrossEntropy([tf.tensor2d(exit1), tf.tensor2d(exit2)], labels).dataSync()[0]!,
    );
    // exit 1: (0.407606 + log 3) / 2; exit 2: (ce([3,1,-1], 2) + ce([0.5,2.5,0], 1)) / 2
    const expected = (ce(exit1[0]!, 2) + ce(exit1[1]!, 1)) / 2 + (ce(exit2[0]!, 2) + ce(exit2[1]!, 1)) / 2;
    expect((ce(exit1[0]!, 2) + Math.log(3)) / 2).toBeCloseTo((0.40760596 + 1.09861229) / 2, 6);
    expect(value).toBeCloseTo(expected, 5);
    labels.dispose();
  });

  it('weighs exits with the warm-up weights: 3 exits -> 2 CE_1 + 1 CE_2 + 1 CE_3', () => {
    expect(warmupWeights(3)).toEqual([2, 1, 1]);
    // one sample, label 0; CE of each exit by hand:
    // exit 1 logits [0, 0]: log 2 = 0.693147; exit 2 [2, 0]: log(1 + e^-2) = 0.126928; exit 3 [0, 2]: 2.126928
    const labels = tf.tensor1d([0], 'int32');
    const value = tf.tidy(() =>
      multiExitCrossEntropy(
        [tf.tensor2d([[0, 0]]), tf.tensor2d([[2, 0]]), tf.tensor2d([[0, 2]])],
        labels,
        warmupWeights(3),
      ).dataSync()[0]!,
    );
    expect(value).toBeCloseTo(2 * Math.LN2 + 0.126928 + 2.126928, 5);
    labels.dispose();
  });

  it('has gradients matching central finite differences for every exit', () => {
    const labels = tf.tensor1d(labelValues, 'int32');
    const weights = [0.5, 2];
    const other = [tf.tensor2d(exit1), tf.tensor2d(exit2)];
    const gradients = tf.tidy(() =>
      tf
        .grads((a, b) => multiExitCrossEntropy([a as tf.Tensor2D, b as tf.Tensor2D], labels, weights))(other)
        .map((g) => (g as tf.Tensor2D).arraySync()),
    );
    const asFirst = (x: tf.Tensor2D) => multiExitCrossEntropy([x, other[1]!], labels, weights);
    const asSecond = (x: tf.Tensor2D) => multiExitCrossEntropy([other[0]!, x], labels, weights);
    expectClose(gradients[0]!, finiteDifferences(asFirst, exit1), 1e-3);
    expectClose(gradients[1]!, finiteDifferences(asSecond, exit2), 1e-3);
    // by hand: d/dz of w * mean CE = w * (softmax - onehot) / batch; row 2 of exit 1 is uniform, label 1
    expect(gradients[0]![1]).toEqual([
      expect.closeTo((0.5 * (1 / 3)) / 2, 6),
      expect.closeTo((0.5 * (1 / 3 - 1)) / 2, 6),
      expect.closeTo((0.5 * (1 / 3)) / 2, 6),
    ]);
    tf.dispose([labels, ...other]);
  });

  it('leaves no tensors behind, gradients included', () => {
    const labels = tf.tensor1d(labelValues, 'int32');
    const logits = [tf.tensor2d(exit1), tf.tensor2d(exit2)];
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      multiExitCrossEntropy(logits, labels, [1, 3]).dispose();
      tf.dispose(tf.grads((a, b) => multiExitCrossEntropy([a as tf.Tensor2D, b as tf.Tensor2D], labels))(logits));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([labels, ...logits]);
  });

  it('rejects bad weights, no exits and batch sizes that differ from the labels', () => {
    const labels = tf.tensor1d(labelValues, 'int32');
    const logits = [tf.tensor2d(exit1), tf.tensor2d(exit2)];
    const before = tf.memory().numTensors;
    expect(() => multiExitCrossEntropy(logits, labels, [1])).toThrow(CountMismatchError);
    expect(() => multiExitCrossEntropy(logits, labels, [1])).toThrow(/^weights.length: expected 2/);
    expect(() => multiExitCrossEntropy(logits, labels, [1, -1])).toThrow(ArgumentError);
    expect(() => multiExitCrossEntropy(logits, labels, [1, -1])).toThrow(/^weights\[1\]: expected a finite number >= 0/);
    expect(() => multiExitCrossEntropy(logits, labels, [Number.NaN, 1])).toThrow(/^weights\[0\]/);
    expect(() => multiExitCrossEntropy([], labels)).toThrow(/^logitsPerExit: expected at least one exit/);
    const short = tf.tensor2d([[1, 2, 3]]);
    expect(() => multiExitCrossEntropy([logits[0]!, short], labels)).toThrow(CountMismatchError);
    expect(() => multiExitCrossEntropy([logits[0]!, short], labels)).toThrow(/^logitsPerExit\[1\].shape\[0\]/);
    short.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([labels, ...logits]);
  });
});

describe('warmupWeights', () => {
  it('gives [L-1, ..., 1, 1]', () => {
    expect(warmupWeights(1)).toEqual([1]);
    expect(warmupWeights(2)).toEqual([1, 1]);
    expect(warmupWeights(4)).toEqual([3, 2, 1, 1]);
  });

  it('rejects a count that is not a whole number >= 1', () => {
    expect(() => warmupWeights(0)).toThrow(ArgumentError);
    expect(() => warmupWeights(2.5)).toThrow(/^exits:/);
  });
});
