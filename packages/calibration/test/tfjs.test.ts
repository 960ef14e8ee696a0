import { ArgumentError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as host from '../src/index.js';
import * as tensors from '../src/tfjs/index.js';
import { expectFieldError } from './catch-error.js';

const probs = new Float32Array([0.75, 0.25, 0.5, 0.5, 0.375, 0.625, 0.875, 0.125, 0, 1]);
const labels = new Int32Array([0, 1, 0, 0, 1]);

describe('@offramp/calibration/tfjs: tensor inputs', () => {
  it('gives the same numbers as the host arrays', () => {
    const p = tf.tensor2d(probs, [5, 2]);
    const y = tf.tensor1d(labels, 'int32');
    expect(tensors.expectedCalibrationError(p, y, { bins: 4 })).toBe(host.expectedCalibrationError(probs, labels, { bins: 4 }));
    expect(tensors.maximumCalibrationError(p, y, { bins: 2, binning: 'mass' })).toBe(
      host.maximumCalibrationError(probs, labels, { bins: 2, binning: 'mass' }),
    );
    expect(tensors.reliabilityDiagram(p, y)).toEqual(host.reliabilityDiagram(probs, labels));
    expect(tensors.brierScore(p, y)).toBe(host.brierScore(probs, labels));
    expect(tensors.negativeLogLikelihood(p, tf.tensor1d([0, 1, 0, 0, 1], 'float32'))).toBe(host.negativeLogLikelihood(probs, labels));
    // host arrays pass straight through
    expect(tensors.brierScore(probs, labels)).toBe(host.brierScore(probs, labels));
    tf.dispose([p, y]);
  });

  it('fits and applies temperatures on tensors (classes from the shape)', () => {
    const logits = tf.tensor2d([1, 0, 1, 0, 1, 0, 1, 0], [4, 2]);
    const y = tf.tensor1d([0, 0, 0, 1], 'int32');
    expect(tensors.fitTemperature(logits, y)).toBeCloseTo(1 / Math.log(3), 8);
    expect(tensors.fitTemperatures([logits, logits], y)).toHaveLength(2);
    expect(tensors.applyTemperature(logits, undefined, 1)[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    tf.dispose([logits, y]);
  });

  it('streams tensor batches', () => {
    const metric = new tensors.CalibrationMetric({ bins: 4 });
    metric.update(tf.tensor2d(probs.subarray(0, 4), [2, 2]), tf.tensor1d(labels.subarray(0, 2), 'int32'));
    metric.update(probs.subarray(4), labels.subarray(2));
    expect(metric.compute().ece).toBeCloseTo(0.2, 12);
  });

  it('makes no tensors (the count does not grow over repeated calls)', () => {
    const p = tf.tensor2d(probs, [5, 2]);
    const y = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) {
      tensors.expectedCalibrationError(p, y);
      tensors.fitTemperature(p, y);
      tensors.applyTemperature(p, undefined, 2);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, y]);
  });

  it('rejects tensors of the wrong rank and labels that are not whole numbers', () => {
    const flat = tf.tensor1d(probs);
    expectFieldError(() => tensors.brierScore(flat, labels), InputShapeError, 'probs.shape');
    const fractional = tf.tensor1d([0.5, 1, 0, 0, 1]);
    expectFieldError(() => tensors.brierScore(probs, fractional), ArgumentError, 'labels[0]');
    tf.dispose([flat, fractional]);
  });
});
