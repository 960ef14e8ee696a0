import { ArgumentError, createRng, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gaussianNoise, sampleImages } from '../src/index.js';
import { fakeDenoiser } from './fake-denoiser.js';

// v = s x: an Euler step from t_k to t_{k+1} multiplies x by 1 + (t_{k+1} - t_k) s_k.
const scaling = fakeDenoiser((x, s) => tf.mul(x, s) as tf.Tensor4D);

describe('sampleImages', () => {
  it('runs Euler steps on the schedule: [1, 0.5, 0] gives eps * 0.5 * 0.75', async () => {
    const eps = gaussianNoise(createRng(9), 3 * 16);
    const out = await sampleImages(scaling, { size: 4, count: 3, schedule: [1, 0.5, 0], seed: 9, batchSize: 2 });
    out.pixels.forEach((v, i) => {
      expect(v).toBeCloseTo(eps[i]! * 0.375, 5);
    });
  });
  it('conditions on the table levels with the same steps: levels [0.2, 0.4] give eps * 0.9 * 0.8', async () => {
    const eps = gaussianNoise(createRng(9), 16);
    const table = { resolution: 4, schedule: [1, 0.5, 0], levels: [0.2, 0.4] };
    const out = await sampleImages(scaling, { size: 4, count: 1, schedule: [1, 0.5, 0], table, seed: 9 });
    out.pixels.forEach((v, i) => {
      expect(v).toBeCloseTo(eps[i]! * 0.72, 5);
    });
  });
  it('rejects a size the denoiser cannot take and a table of another resolution or shape', async () => {
    const base = { count: 1, schedule: [1, 0.5, 0], seed: 1 };
    await expect(sampleImages(scaling, { ...base, size: 5 })).rejects.toThrow(ArgumentError);
    const table = { resolution: 8, schedule: [1, 0.5, 0], levels: [0.2, 0.4] };
    await expect(sampleImages(scaling, { ...base, size: 4, table })).rejects.toThrow(InputShapeError);
    await expect(sampleImages(scaling, { ...base, size: 4, table: { ...table, resolution: 4, levels: [0.2] } })).rejects.toThrow(/levels.length/);
  });
  it('leaks no tensors', async () => {
    const options = { size: 4, count: 5, schedule: [1, 0.5, 0], seed: 1, batchSize: 2 };
    await sampleImages(scaling, options);
    const before = tf.memory().numTensors;
    await sampleImages(scaling, options);
    await sampleImages(scaling, options);
    expect(tf.memory().numTensors).toBe(before);
  });
});
