import { createRng } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { calibrateNoiseTable, denoisingError, gaussianNoise } from '../src/index.js';
import { fakeDenoiser } from './fake-denoiser.js';

// Clean images are all 0, so x_t = t eps and the exact velocity is x_t / t. A denoiser that answers
// x / (c * s) is right when told s = t / c: the planted calibration.
const planted = (c: number) => fakeDenoiser((x, s) => tf.div(x, tf.mul(c, tf.maximum(s, 1e-3))) as tf.Tensor4D);
const zeros = { pixels: new Float32Array(6 * 16), n: 6, size: 4 };

describe('denoisingError', () => {
  it('is (1 - t / (c s))^2 t^2 mean(eps^2) for the planted denoiser', async () => {
    const noise = gaussianNoise(createRng(2), zeros.pixels.length);
    const meanSquare = noise.reduce((s, v) => s + v * v, 0) / noise.length;
    const error = await denoisingError(planted(2), { clean: zeros, noise, level: 0.5, conditioning: 0.5, batchSize: 4 });
    // t / (c s) = 0.5 / 1 = 0.5 -> (0.5)^2 * 0.25 * mean(eps^2)
    expect(error).toBeCloseTo(0.0625 * meanSquare, 5);
    expect(await denoisingError(planted(2), { clean: zeros, noise, level: 0.5, conditioning: 0.25 })).toBeCloseTo(0, 8);
  });
  it('rejects noise of the wrong size and levels outside [0, 1]', async () => {
    await expect(denoisingError(planted(1), { clean: zeros, noise: new Float32Array(3), level: 0.5 })).rejects.toThrow(/noise.length/);
    const noise = new Float32Array(zeros.pixels.length);
    await expect(denoisingError(planted(1), { clean: zeros, noise, level: 1.5 })).rejects.toThrow(/level/);
    await expect(denoisingError(planted(1), { clean: zeros, noise, level: 0.5, conditioning: -1 })).rejects.toThrow(/conditioning/);
  });
});

describe('calibrateNoiseTable', () => {
  it('finds the planted levels s_k = t_k / c, and the identity when the denoiser is right', async () => {
    const schedule = [1, 0.75, 0.5, 0.25, 0];
    const shifted = await calibrateNoiseTable(planted(2), { images: zeros, schedule, seed: 1 });
    shifted.table.levels.forEach((s, k) => {
      expect(Math.abs(s - schedule[k]! / 2)).toBeLessThanOrEqual(0.025);
    });
    expect(shifted.table.resolution).toBe(4);
    expect(shifted.steps[0]!.errorAtCalibrated).toBeLessThan(shifted.steps[0]!.errorAtScheduled);
    const exact = await calibrateNoiseTable(planted(1), { images: zeros, schedule, seed: 1 });
    expect(exact.table.levels).toEqual([1, 0.75, 0.5, 0.25]);
  });
  it('leaks no tensors', async () => {
    const options = { images: zeros, schedule: [1, 0.5, 0], seed: 3, search: { coarse: 3, fine: 3, rounds: 1 } };
    await calibrateNoiseTable(planted(2), options);
    const before = tf.memory().numTensors;
    await calibrateNoiseTable(planted(2), options);
    await calibrateNoiseTable(planted(2), options);
    expect(tf.memory().numTensors).toBe(before);
  });
});
