import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BestWeights, fit } from '../src/index.js';

/** Assigns a new value, freeing the temporary tensor. */
function set(v: tf.Variable, value: tf.Tensor): void {
  v.assign(value);
  value.dispose();
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BestWeights', () => {
  it('restores the values of the best update and tracks patience', () => {
    const w = tf.variable(tf.tensor1d([1, 1]), true, 'best/w');
    const before = tf.memory().numTensors;
    const best = new BestWeights([w], { patience: 2 });
    expect(best.restore()).toBe(false);
    expect(best.update(0.5)).toBe(true);
    set(w, tf.tensor1d([2, -2]));
    expect(best.update(0.7)).toBe(true);
    set(w, tf.tensor1d([3, -3]));
    expect(best.update(0.6)).toBe(false);
    expect([best.sinceBest, best.shouldStop]).toEqual([1, false]);
    set(w, tf.tensor1d([4, -4]));
    expect(best.update(0.7)).toBe(false); // equal is not better
    expect([best.best, best.bestUpdate, best.sinceBest, best.shouldStop]).toEqual([0.7, 1, 2, true]);
    expect(best.restore()).toBe(true);
    expect(Array.from(w.dataSync())).toEqual([2, -2]);
    // restoring twice, after more changes, still gives the best values
    set(w, tf.tensor1d([9, 9]));
    best.restore();
    expect(Array.from(w.dataSync())).toEqual([2, -2]);
    best.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(w.dataSync())).toEqual([2, -2]);
    w.dispose();
  });

  it('lowers a metric in min mode, with minDelta', () => {
    const w = tf.variable(tf.scalar(0), true, 'best/min');
    const best = new BestWeights([w], { mode: 'min', patience: 1, minDelta: 0.1 });
    expect(best.update(1)).toBe(true);
    set(w, tf.scalar(5));
    expect(best.update(0.95)).toBe(false); // not lower by more than minDelta
    expect(best.shouldStop).toBe(true);
    expect(best.update(0.8)).toBe(true);
    expect(best.shouldStop).toBe(false);
    set(w, tf.scalar(6));
    best.restore();
    expect(w.dataSync()[0]).toBe(5);
    best.dispose();
    w.dispose();
  });

  it('rejects bad options and a metric that is not finite', () => {
    expect(() => new BestWeights([], { patience: 0 })).toThrow(ArgumentError);
    expect(() => new BestWeights([], { patience: 0 })).toThrow(/^patience:/);
    expect(() => new BestWeights([], { minDelta: -1 })).toThrow(/^minDelta:/);
    expect(() => new BestWeights([], { mode: 'up' as 'max' })).toThrow(/^mode:/);
    expect(() => new BestWeights([]).update(Number.NaN)).toThrow(/^metric: expected a finite number, received NaN/);
  });

  it('drives early stopping inside fit', async () => {
    const w = tf.variable(tf.scalar(0), true, 'best/fit');
    const best = new BestWeights([w], { mode: 'min', patience: 2 });
    // a validation metric that is best after epoch 1 (0-based) and then worse
    const validation = [3, 1, 2, 4, 5, 6];
    const snapshots: number[] = [];
    const result = await fit({
      variables: [w],
      loss: () => tf.square(tf.sub(w, 10)) as tf.Scalar,
      batches: () => [0],
      batchesPerEpoch: 1,
      epochs: 6,
      optimizer: tf.train.sgd(0.1),
      onEpochEnd: (epoch) => {
        snapshots.push(w.dataSync()[0]!);
        best.update(validation[epoch]!);
        return best.shouldStop ? 'stop' : undefined;
      },
    });
    expect(result.epochs).toBe(4);
    best.restore();
    expect(w.dataSync()[0]).toBe(snapshots[1]);
    // two sgd steps from 0 towards 10 with rate 0.1: 2, then 3.6
    expect(snapshots[1]).toBeCloseTo(3.6, 5);
    best.dispose();
    w.dispose();
  });
});
