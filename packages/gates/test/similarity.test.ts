import { ArgumentError, CountMismatchError, type ExitSignal, GateOptionsError, validateGateOptions } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  batchCosine,
  decoderThreshold,
  decoderThresholdSchedule,
  similarityGate,
  streamThresholds,
  wholeBatchExitLayer,
} from '../src/index.js';
import { catchError } from './catch-error.js';

const context = { exits: 3, classes: 2, hiddenSizes: [4, 4, 4] };

function signal(similarity: number[] | undefined): ExitSignal {
  const batch = 2;
  return {
    exit: 0,
    exits: 3,
    batch,
    classes: 2,
    logits: new Float32Array(batch * 2),
    probs: new Float32Array(batch * 2).fill(0.5),
    cost: 0.3,
    ...(similarity ? { similarity: new Float32Array(similarity) } : {}),
  };
}

describe('similarity gate', () => {
  const gate = similarityGate.create(validateGateOptions(similarityGate, {}), context);

  it('scores each sample by its cosine and asks the runner for similarities', () => {
    expect(gate.needs).toEqual(['similarity']);
    expect(gate.range).toEqual({ min: -1, max: 1 });
    expect(Array.from(gate.score(signal([0.6, -0.25])))).toEqual([0.6, -0.25].map(Math.fround));
    // 3 MACs per hidden feature: dot product and two squared norms
    expect(gate.macs(0)).toBe(12);
  });

  it('throws when the similarities are missing or miscounted', () => {
    expect(catchError(() => gate.score(signal(undefined)))).toBeInstanceOf(ArgumentError);
    const short = { ...signal([0.5, 0.5]), similarity: new Float32Array([0.5]) };
    expect(catchError(() => gate.score(short))).toBeInstanceOf(ArgumentError);
  });

  it('takes no options', () => {
    expect(catchError(() => validateGateOptions(similarityGate, { tau: 1 }))).toBeInstanceOf(GateOptionsError);
  });
});

describe('whole-batch cosine', () => {
  it('is one cosine over the flattened batch', () => {
    // a = [1, 0 | 0, 1], b = [1, 1 | 0, 1]: dot 2, |a|^2 2, |b|^2 3 -> 2 / sqrt(6)
    expect(batchCosine(new Float32Array([1, 0, 0, 1]), new Float32Array([1, 1, 0, 1]))).toBeCloseTo(
      2 / Math.sqrt(6),
      12,
    );
    // per-sample cosines are 1/sqrt(2) and 1: the batch value is neither
    expect(batchCosine(new Float32Array([0, 0]), new Float32Array([1, 2]))).toBe(0);
  });

  it('equals the per-sample cosine for a batch of one', () => {
    expect(batchCosine(new Float32Array([3, 4]), new Float32Array([4, 3]))).toBeCloseTo(24 / 25, 12);
  });

  it('picks the first layer whose batch cosine reaches the threshold', () => {
    expect(wholeBatchExitLayer([0.5, 0.8, 0.95], 0.8, 4)).toBe(1);
    expect(wholeBatchExitLayer([0.5, 0.7, 0.75], 0.8, 4)).toBe(3);
    expect(wholeBatchExitLayer([], 0.8, 1)).toBe(0);
  });

  it('rejects bad input', () => {
    expect(catchError(() => batchCosine(new Float32Array(2), new Float32Array(3)))).toBeInstanceOf(
      CountMismatchError,
    );
    expect(catchError(() => wholeBatchExitLayer([0.5], 0.8, 3))).toBeInstanceOf(CountMismatchError);
    expect(catchError(() => wholeBatchExitLayer([0.5], Number.NaN, 2))).toBeInstanceOf(ArgumentError);
    expect(catchError(() => wholeBatchExitLayer([0.5], 0.5, 0))).toBeInstanceOf(ArgumentError);
  });
});

describe('stream thresholds', () => {
  it('keeps one threshold per stream', () => {
    expect(streamThresholds({ image: 0.7, text: 0.99, decoder: 0.7 })).toEqual({ image: 0.7, text: 0.99, decoder: 0.7 });
  });
  it('names the bad stream', () => {
    const error = catchError(() => streamThresholds({ image: 0.7, text: -2, decoder: 0.7 })) as ArgumentError;
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toContain('thresholds.text');
  });
});

describe('decoder threshold schedule', () => {
  it('is 1 for the first third of the steps, then 0.9 tau + 0.1 exp(-(t + 1) / (L + 1))', () => {
    // 6 steps: steps 0 and 1 are held at 1; step 2 gives 0.9 * 0.7 + 0.1 * exp(-3 / 7)
    const schedule = decoderThresholdSchedule(0.7, 6);
    expect(schedule[0]).toBe(1);
    expect(schedule[1]).toBe(1);
    expect(schedule[2]).toBeCloseTo(0.63 + 0.1 * 0.651439, 6);
    expect(schedule[5]).toBeCloseTo(0.63 + 0.1 * Math.exp(-6 / 7), 12);
    expect(decoderThreshold(0.7, 5, 6)).toBe(schedule[5]);
  });

  it('has no held steps when there are fewer than three', () => {
    expect(decoderThreshold(0.5, 0, 1)).toBeCloseTo(0.45 + 0.1 * Math.exp(-0.5), 12);
    expect(Array.from(decoderThresholdSchedule(0.5, 2))).toHaveLength(2);
  });

  it('rejects steps out of range', () => {
    expect(catchError(() => decoderThreshold(0.7, 6, 6))).toBeInstanceOf(ArgumentError);
    expect(catchError(() => decoderThreshold(0.7, 0, 0))).toBeInstanceOf(ArgumentError);
    expect(catchError(() => decoderThreshold(Number.NaN, 0, 3))).toBeInstanceOf(ArgumentError);
  });
});
