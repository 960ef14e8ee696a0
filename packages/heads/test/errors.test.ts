import { ArgumentError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinearHead, createMlpHead, type PoolKind } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('bad options', () => {
  it.each([
    [[7, 0, 16], 'inputShape[1]'],
    [[-3], 'inputShape[0]'],
    [[2.5, 2], 'inputShape[0]'],
    [[], 'inputShape'],
  ])('rejects inputShape %j naming %s', (inputShape, field) => {
    const error = thrown(() => createLinearHead({ inputShape, classes: 3 }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe(field);
  });

  it.each([1, 0, 2.5, Number.NaN])('rejects classes = %s', (classes) => {
    const error = thrown(() => createMlpHead({ inputShape: [4], hidden: 3, classes }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('classes');
    expect((error as ArgumentError).received).toBe(String(classes));
  });

  it('rejects a hidden width below 1', () => {
    const error = thrown(() => createMlpHead({ inputShape: [4], hidden: 0, classes: 3 }));
    expect((error as ArgumentError).field).toBe('hidden');
  });

  it('rejects an unknown pooling and global pooling of rank-1 features', () => {
    const unknown = thrown(() =>
      createLinearHead({ inputShape: [2, 2, 3], classes: 3, pool: 'sum' as PoolKind }),
    );
    expect(unknown).toBeInstanceOf(ArgumentError);
    expect((unknown as ArgumentError).field).toBe('pool');
    const rankOne = thrown(() => createLinearHead({ inputShape: [8], classes: 3, pool: 'avg' }));
    expect((rankOne as ArgumentError).field).toBe('pool');
  });

  it('rejects a name whose variables are alive, and accepts it again once disposed', () => {
    const before = tf.memory().numTensors;
    const head = createLinearHead({ inputShape: [4], classes: 3, name: 'taken' });
    const error = thrown(() => createMlpHead({ inputShape: [4], hidden: 2, classes: 3, name: 'taken' }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('name');
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const again = createLinearHead({ inputShape: [4], classes: 3, name: 'taken' });
    again.dispose();
  });

  it('rejects a bad seed', () => {
    const error = thrown(() => createLinearHead({ inputShape: [4], classes: 3, seed: Number.NaN }));
    expect((error as ArgumentError).field).toBe('seed');
  });
});

describe('bad input to apply', () => {
  it('names the rank when a batch of the wrong rank comes', () => {
    const head = createLinearHead({ inputShape: [7, 7, 16], classes: 10 });
    const x = tf.zeros([2, 7, 16]);
    const error = thrown(() => head.apply(x));
    expect(error).toBeInstanceOf(InputShapeError);
    expect((error as InputShapeError).field).toBe('x.rank');
    expect((error as InputShapeError).expected).toContain('4');
    x.dispose();
    head.dispose();
  });

  it('names the dimension that differs', () => {
    const head = createMlpHead({ inputShape: [7, 7, 16], hidden: 3, classes: 10 });
    const x = tf.zeros([2, 7, 7, 8]);
    const error = thrown(() => head.apply(x));
    expect((error as InputShapeError).field).toBe('x.shape[3]');
    expect((error as InputShapeError).received).toContain('8');
    x.dispose();
    head.dispose();
  });

  it('refuses to run once disposed', () => {
    const head = createLinearHead({ inputShape: [3], classes: 2, name: 'gone' });
    head.dispose();
    const x = tf.zeros([1, 3]);
    expect(() => head.apply(x)).toThrow(ArgumentError);
    x.dispose();
  });
});
