import * as tf from '@tensorflow/tfjs';
import { ArgumentError, createRng, EmptyBatchError, NonFiniteInputError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fit } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Batch {
  readonly x: number[];
  readonly y: number[];
}

// y = 2x + 1 on 32 points in [-1, 1], 4 batches of 8, reshuffled each epoch
const xs = Array.from({ length: 32 }, (_, i) => -1 + (2 * i) / 31);
const ys = xs.map((x) => 2 * x + 1);

function regressionBatches(epoch: number): Batch[] {
  const order = createRng(100 + epoch).shuffle(Array.from({ length: 32 }, (_, i) => i));
  return [0, 1, 2, 3].map((b) => {
    const rows = order.slice(b * 8, b * 8 + 8);
    return { x: rows.map((i) => xs[i]!), y: rows.map((i) => ys[i]!) };
  });
}

function linearModel(prefix: string) {
  const w = tf.variable(tf.scalar(0), true, `${prefix}/w`);
  const b = tf.variable(tf.scalar(0), true, `${prefix}/b`);
  const loss = (batch: Batch): tf.Scalar =>
    tf.losses.meanSquaredError(tf.tensor1d(batch.y), tf.add(tf.mul(tf.tensor1d(batch.x), w), b)) as tf.Scalar;
  return { w, b, loss };
}

describe('fit', () => {
  it('fits a linear regression: the loss falls and the weights approach w = 2, b = 1', async () => {
    const { w, b, loss } = linearModel('regression');
    const optimizer = tf.train.sgd(0.3);
    const seen: number[] = [];
    const result = await fit({
      variables: [w, b],
      loss,
      batches: (epoch) => {
        seen.push(epoch);
        return regressionBatches(epoch);
      },
      batchesPerEpoch: 4,
      epochs: 40,
      optimizer,
    });
    expect(result.epochs).toBe(40);
    expect(result.losses).toHaveLength(40);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(result.losses[39]!).toBeLessThan(result.losses[0]! * 1e-3);
    expect(w.dataSync()[0]).toBeCloseTo(2, 2);
    expect(b.dataSync()[0]).toBeCloseTo(1, 2);
    optimizer.dispose();
    tf.dispose([w, b]);
  });

  it('fits a tiny classifier with the default optimizer and frees what it made', async () => {
    // two classes in 2-D, separated by the sign of x0 + x1
    const points = [
      [1, 1],
      [2, 0.5],
      [0.5, 2],
      [-1, -1],
      [-2, -0.5],
      [-0.5, -2],
    ];
    const labels = [1, 1, 1, 0, 0, 0];
    const kernel = tf.variable(tf.zeros([2, 2]), true, 'classifier/kernel');
    const bias = tf.variable(tf.zeros([2]), true, 'classifier/bias');
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const result = await fit({
      variables: [kernel, bias],
      loss: (batch: number[]) => {
        const x = tf.tensor2d(batch.map((i) => points[i]!));
        const y = tf.oneHot(tf.tensor1d(batch.map((i) => labels[i]!), 'int32'), 2);
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, kernel), bias)) as tf.Scalar;
      },
      batches: () => [
        [0, 3, 1],
        [4, 2, 5],
      ],
      batchesPerEpoch: 2,
      epochs: 5,
      onEpochEnd: async () => {
        await Promise.resolve();
        counts.push(tf.memory().numTensors);
      },
    });
    // the starting loss is log 2 for all-zero weights; adam at 1e-3 lowers it every epoch
    expect(result.losses[0]!).toBeLessThan(Math.LN2);
    expect(result.losses[0]!).toBeGreaterThan(Math.LN2 - 0.01);
    for (let e = 1; e < 5; e++) expect(result.losses[e]!).toBeLessThan(result.losses[e - 1]!);
    // adam's moments appear with the first step; after that no epoch adds tensors
    expect(new Set(counts).size).toBe(1);
    // the default optimizer is disposed when fit returns
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([kernel, bias]);
  });

  it('does not grow the tensor count step after step', async () => {
    const { w, b, loss } = linearModel('steady');
    const optimizer = tf.train.adam(0.01);
    const counts: number[] = [];
    await fit({
      variables: [w, b],
      loss,
      batches: regressionBatches,
      batchesPerEpoch: 4,
      epochs: 6,
      optimizer,
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toEqual(Array.from({ length: 6 }, () => counts[0]));
    optimizer.dispose();
    tf.dispose([w, b]);
  });

  it('stops when onEpochEnd returns "stop" and reports the epochs run', async () => {
    const { w, b, loss } = linearModel('stopping');
    const result = await fit({
      variables: [w, b],
      loss,
      batches: regressionBatches,
      batchesPerEpoch: 4,
      epochs: 10,
      onEpochEnd: async (epoch) => (epoch === 2 ? 'stop' : undefined),
    });
    expect(result.epochs).toBe(3);
    expect(result.losses).toHaveLength(3);
    tf.dispose([w, b]);
  });

  it('trains only the variables it is given', async () => {
    const { w, b, loss } = linearModel('frozen');
    await fit({ variables: [w], loss, batches: regressionBatches, batchesPerEpoch: 4, epochs: 2 });
    expect(b.dataSync()[0]).toBe(0);
    expect(w.dataSync()[0]).not.toBe(0);
    tf.dispose([w, b]);
  });

  it('rejects bad counts, no variables, an epoch without batches and a loss that is not finite', async () => {
    const { w, b, loss } = linearModel('errors');
    const base = { variables: [w, b], loss, batches: regressionBatches, batchesPerEpoch: 4, epochs: 1 };
    const before = tf.memory().numTensors;
    await expect(fit({ ...base, epochs: -1 })).rejects.toThrow(ArgumentError);
    await expect(fit({ ...base, epochs: 1.5 })).rejects.toThrow(/^epochs:/);
    await expect(fit({ ...base, batchesPerEpoch: 0 })).rejects.toThrow(/^batchesPerEpoch: expected a whole number >= 1/);
    await expect(fit({ ...base, variables: [] })).rejects.toThrow(/^variables:/);
    await expect(fit({ ...base, batches: () => [] })).rejects.toThrow(EmptyBatchError);
    const nan = (batch: Batch) => tf.mul(loss(batch), Number.NaN) as tf.Scalar;
    await expect(fit({ ...base, loss: nan })).rejects.toThrow(NonFiniteInputError);
    await expect(fit({ ...base, loss: nan })).rejects.toThrow(/loss \(epoch 0\) batch\[0\]: expected a finite number, received NaN/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b]);
  });
});
