import { ArgumentError, CountMismatchError, EmptyBatchError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { exitAccuracies, fullModelAccuracy } from '../src/index.js';
import { catchError } from './catch-error.js';
import { handLabels, handTrace } from './hand-trace.js';

describe('accuracies from a trace', () => {
  it('per exit and of the full model', () => {
    // exit 0: samples 0 and 3 right; exit 1: samples 0 and 1; exit 2: all four.
    expect(exitAccuracies(handTrace, handLabels)).toEqual([0.5, 0.5, 1]);
    expect(fullModelAccuracy(handTrace, handLabels)).toBe(1);
    expect(fullModelAccuracy(handTrace, new Int32Array([0, 1, 2, 1]))).toBe(0.75);
  });

  it('rejects labels of the wrong length or out of range', () => {
    const error = catchError(() => exitAccuracies(handTrace, new Int32Array([0, 1, 2])));
    expect(error).toBeInstanceOf(CountMismatchError);
    expect(error).toMatchObject({ field: 'labels.length', received: '3' });
    expect(catchError(() => fullModelAccuracy(handTrace, new Int32Array([0, 1, 3, 0])))).toMatchObject({
      code: 'ARGUMENT_INVALID',
      field: 'labels[2]',
      received: '3',
    });
    expect(() => fullModelAccuracy(handTrace, new Int32Array([0, -1, 2, 0]))).toThrow(ArgumentError);
    expect(() => fullModelAccuracy({ ...handTrace, n: 0 }, new Int32Array(0))).toThrow(EmptyBatchError);
  });
});
