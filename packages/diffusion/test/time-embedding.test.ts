import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sinusoidalEmbedding } from '../src/index.js';

describe('sinusoidalEmbedding', () => {
  it('matches hand values: t = 0.001, dim 4 -> a = 1, w = [1, 0.01]', () => {
    const e = sinusoidalEmbedding(tf.tensor1d([0.001, 0]), 4);
    const v = e.arraySync();
    e.dispose();
    expect(v[0]![0]).toBeCloseTo(Math.sin(1), 5);
    expect(v[0]![1]).toBeCloseTo(Math.sin(0.01), 5);
    expect(v[0]![2]).toBeCloseTo(Math.cos(1), 5);
    expect(v[0]![3]).toBeCloseTo(Math.cos(0.01), 5);
    expect(v[1]).toEqual([0, 0, 1, 1]);
  });
  it('pads an odd size with a zero column', () => {
    const e = sinusoidalEmbedding(tf.tensor1d([0.5]), 5);
    expect(e.shape).toEqual([1, 5]);
    expect(e.arraySync()[0]![4]).toBe(0);
    e.dispose();
  });
});
