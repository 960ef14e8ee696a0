import { ArgumentError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CnnStageSpec, createCnnBackbone, createMlpBackbone } from '../src/index.js';

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

const smallCnn = { inputShape: [6, 6, 1] as [number, number, number], stages: [{ filters: 2, kernelSize: 3 }] };

describe('backbone construction', () => {
  it('names variables per stage and frees them all on dispose', () => {
    const before = tf.memory().numTensors;
    const backbone = createCnnBackbone({ ...smallCnn, stages: [...smallCnn.stages, { filters: 3, kernelSize: 1 }], name: 'net' });
    expect(backbone.variables.map((v) => v.name)).toEqual([
      'net/stage0/kernel',
      'net/stage0/bias',
      'net/stage1/kernel',
      'net/stage1/bias',
    ]);
    expect(backbone.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 2], [2], [1, 1, 2, 3], [3]]);
    expect(tf.memory().numTensors).toBe(before + 4);
    backbone.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same weights for the same seed', async () => {
    const read = async (seed: number) => {
      const backbone = createMlpBackbone({ inputShape: [5], hidden: [4, 3], seed });
      const values = await Promise.all(backbone.variables.map(async (v) => Array.from(await v.data())));
      backbone.dispose();
      return values;
    };
    const a = await read(4);
    expect(await read(4)).toEqual(a);
    expect((await read(5))[0]).not.toEqual(a[0]);
    expect(a[1]).toEqual([0, 0, 0, 0]);
  });

  it('computes conv -> bias -> relu -> max pool by hand', async () => {
    const backbone = createCnnBackbone({ inputShape: [2, 2, 1], stages: [{ filters: 1, kernelSize: 1, pool: 'max' }] });
    const [kernel, bias] = backbone.variables;
    kernel!.assign(tf.tensor4d([2], [1, 1, 1, 1]));
    bias!.assign(tf.tensor1d([-1]));
    const x = tf.tensor4d([0.25, 1, -3, 0.5], [1, 2, 2, 1]);
    const y = backbone.stages[0]!.apply(x);
    // relu(2x - 1) = [0, 1, 0, 0], max pooled to 1.
    expect(y.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(await y.data())).toEqual([1]);
    tf.dispose([x, y]);
    backbone.dispose();
  });

  it('does not leak over repeated stage calls', () => {
    const backbone = createCnnBackbone({ inputShape: [8, 8, 1], stages: [{ filters: 2, kernelSize: 3, pool: 'max' }] });
    const x = tf.ones([3, 8, 8, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) backbone.stages[0]!.apply(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    backbone.dispose();
  });
});

describe('bad backbone options', () => {
  it.each([
    [{ inputShape: [6, 6], stages: smallCnn.stages }, 'inputShape'],
    [{ inputShape: [6, 0, 1], stages: smallCnn.stages }, 'inputShape[1]'],
    [{ inputShape: [6, 6, 1], stages: [] }, 'stages'],
    [{ ...smallCnn, stages: [{ filters: 0, kernelSize: 3 }] }, 'stages[0].filters'],
    [{ ...smallCnn, stages: [{ filters: 2, kernelSize: 1.5 }] }, 'stages[0].kernelSize'],
    [{ ...smallCnn, stages: [{ filters: 2, kernelSize: 3, strides: 0 }] }, 'stages[0].strides'],
    [{ ...smallCnn, stages: [{ filters: 2, kernelSize: 3, padding: 'full' }] }, 'stages[0].padding'],
    [{ ...smallCnn, stages: [{ filters: 2, kernelSize: 3, pool: 'avg' }] }, 'stages[0].pool'],
    [{ ...smallCnn, stages: [{ filters: 2, kernelSize: 7, padding: 'valid' }] }, 'stages[0].kernelSize'],
    [
      { ...smallCnn, stages: [{ filters: 2, kernelSize: 3, strides: 6, pool: 'max' }] },
      'stages[0].pool',
    ],
    [{ ...smallCnn, seed: Number.POSITIVE_INFINITY }, 'seed'],
  ])('CNN %# names %s', (options, field) => {
    const before = tf.memory().numTensors;
    const error = thrown(() =>
      createCnnBackbone(options as { inputShape: [number, number, number]; stages: CnnStageSpec[] }),
    );
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe(field);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ inputShape: [4], hidden: [] }, 'hidden'],
    [{ inputShape: [4], hidden: [3, 0] }, 'hidden[1]'],
    [{ inputShape: [-4], hidden: [3] }, 'inputShape[0]'],
  ])('MLP %# names %s', (options, field) => {
    const error = thrown(() => createMlpBackbone(options));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe(field);
  });

  it('rejects a name that live variables use', () => {
    const first = createMlpBackbone({ inputShape: [4], hidden: [3], name: 'shared' });
    const error = thrown(() => createCnnBackbone({ ...smallCnn, name: 'shared' }));
    expect((error as ArgumentError).field).toBe('name');
    first.dispose();
  });
});

describe('bad input to a stage', () => {
  it('names the rank and the dimension', () => {
    const backbone = createCnnBackbone(smallCnn);
    const stage = backbone.stages[0]!;
    const flat = tf.zeros([2, 36]);
    const wide = tf.zeros([2, 6, 7, 1]);
    const rank = thrown(() => stage.apply(flat));
    expect(rank).toBeInstanceOf(InputShapeError);
    expect((rank as InputShapeError).field).toBe('x.rank');
    expect((thrown(() => stage.apply(wide)) as InputShapeError).field).toBe('x.shape[2]');
    tf.dispose([flat, wide]);
    backbone.dispose();
    const x = tf.zeros([1, 6, 6, 1]);
    expect(() => stage.apply(x)).toThrow(ArgumentError);
    x.dispose();
  });
});
