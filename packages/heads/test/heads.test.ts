import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinearHead, createMlpHead } from '../src/index.js';
import { createPooling } from '../src/pooling.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('head output and MACs', () => {
  it('linear head with global average pooling on [7, 7, 16] feature maps', () => {
    const head = createLinearHead({ inputShape: [7, 7, 16], classes: 10 });
    const logits = head.apply(tf.zeros([3, 7, 7, 16]));
    expect(logits.shape).toEqual([3, 10]);
    expect(head.outputShape).toEqual([10]);
    // 7*7*16 accumulates for the mean, then 16*10 for the dense layer.
    expect(head.macs).toBe(784 + 160);
    logits.dispose();
    head.dispose();
  });

  it('counts a global max pool as one compare per value and flatten as free', () => {
    const max = createLinearHead({ inputShape: [7, 7, 16], classes: 10, pool: 'max' });
    const flat = createLinearHead({ inputShape: [7, 7, 16], classes: 10, pool: 'flatten' });
    expect(max.macs).toBe(784 + 160);
    expect(flat.macs).toBe(784 * 10);
    expect(flat.variables[0]!.shape).toEqual([784, 10]);
    max.dispose();
    flat.dispose();
  });

  it('uses rank-1 features as they are', () => {
    const head = createLinearHead({ inputShape: [128], classes: 10 });
    expect(head.macs).toBe(1280);
    const logits = head.apply(tf.ones([2, 128]));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    head.dispose();
  });

  it('mlp head: pool, dense(hidden) with relu, dense(classes)', () => {
    const head = createMlpHead({ inputShape: [4, 4, 8], hidden: 32, classes: 5 });
    // 4*4*8 = 128 for the mean, 8*32 and 32*5 for the two dense layers.
    expect(head.macs).toBe(128 + 256 + 160);
    expect(head.variables.map((v) => v.shape)).toEqual([[8, 32], [32], [32, 5], [5]]);
    const logits = head.apply(tf.ones([6, 4, 4, 8]));
    expect(logits.shape).toEqual([6, 5]);
    logits.dispose();
    head.dispose();
  });

  it('pools token features [T, D] over the tokens', () => {
    const head = createMlpHead({ inputShape: [5, 12], hidden: 4, classes: 3, pool: 'max' });
    expect(head.macs).toBe(60 + 48 + 12);
    head.dispose();
  });

  it('computes the pooled values by hand', async () => {
    const avg = createLinearHead({ inputShape: [2, 2, 2], classes: 2, name: 'hand-avg' });
    const max = createLinearHead({ inputShape: [2, 2, 2], classes: 2, pool: 'max', name: 'hand-max' });
    for (const head of [avg, max]) {
      head.variables[0]!.assign(tf.eye(2));
      head.variables[1]!.assign(tf.tensor1d([0.5, -0.5]));
    }
    // One sample: channel 0 holds 1, 2, 3, 6; channel 1 holds -1, 0, 4, 1.
    const x = tf.tensor4d([1, -1, 2, 0, 3, 4, 6, 1], [1, 2, 2, 2]);
    const a = avg.apply(x);
    const m = max.apply(x);
    expect(Array.from(await a.data())).toEqual([3 + 0.5, 1 - 0.5]);
    expect(Array.from(await m.data())).toEqual([6 + 0.5, 4 - 0.5]);
    tf.dispose([x, a, m]);
    avg.dispose();
    max.dispose();
  });

  it('names every variable after the head', () => {
    const head = createMlpHead({ inputShape: [3], hidden: 2, classes: 2, name: 'exit0' });
    expect(head.name).toBe('exit0');
    expect(head.variables.map((v) => v.name)).toEqual([
      'exit0/hidden/kernel',
      'exit0/hidden/bias',
      'exit0/output/kernel',
      'exit0/output/bias',
    ]);
    expect(head.variables.every((v) => v.trainable)).toBe(true);
    head.dispose();
  });

  it('gives distinct default names', () => {
    const a = createLinearHead({ inputShape: [3], classes: 2 });
    const b = createLinearHead({ inputShape: [3], classes: 2 });
    expect(a.name).not.toBe(b.name);
    a.dispose();
    b.dispose();
  });
});

describe('seeded initialisation', () => {
  async function weights(seed: number): Promise<number[][]> {
    const head = createMlpHead({ inputShape: [4, 4, 3], hidden: 6, classes: 4, seed });
    const values = await Promise.all(head.variables.map(async (v) => Array.from(await v.data())));
    head.dispose();
    return values;
  }

  it('gives the same weights for the same seed and others for another seed', async () => {
    const a = await weights(7);
    const b = await weights(7);
    const c = await weights(8);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    // Biases start at zero; kernels do not.
    expect(a[1]!.every((v) => v === 0)).toBe(true);
    expect(a[0]!.some((v) => v !== 0)).toBe(true);
  });

  it('draws glorot-uniform kernels inside the limit sqrt(6 / (fanIn + fanOut))', async () => {
    const [kernel] = await weights(3);
    const limit = Math.sqrt(6 / (3 + 6));
    expect(Math.max(...kernel!.map(Math.abs))).toBeLessThanOrEqual(limit);
  });
});

describe('gradients', () => {
  async function checkAgainstFiniteDifferences(
    head: ReturnType<typeof createMlpHead>,
    x: tf.Tensor,
    labels: tf.Tensor,
  ): Promise<number> {
    const loss = () => tf.losses.softmaxCrossEntropy(labels, head.apply(x)) as tf.Scalar;
    const { grads, value } = tf.variableGrads(loss, [...head.variables]);
    value.dispose();
    const eps = 1e-2;
    let worst = 0;
    for (const variable of head.variables) {
      const analytic = await grads[variable.name]!.data();
      const original = await variable.data();
      for (let k = 0; k < original.length; k++) {
        const at = (delta: number) => {
          const shifted = Float32Array.from(original);
          shifted[k] = original[k]! + delta;
          tf.tidy(() => variable.assign(tf.tensor(shifted, variable.shape)));
          return tf.tidy(() => loss().dataSync()[0]!);
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
        worst = Math.max(worst, Math.abs(numeric - analytic[k]!));
      }
    }
    tf.dispose(grads);
    return worst;
  }

  it('linear head with average pooling matches finite differences', async () => {
    const head = createLinearHead({ inputShape: [3, 3, 2], classes: 3, seed: 1 });
    const x = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 11);
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
    expect(await checkAgainstFiniteDifferences(head, x, labels)).toBeLessThan(2e-3);
    tf.dispose([x, labels]);
    head.dispose();
  });

  it('mlp head with max pooling matches finite differences', async () => {
    const head = createMlpHead({ inputShape: [3, 3, 2], hidden: 4, classes: 3, pool: 'max', seed: 2 });
    const x = tf.randomNormal([5, 3, 3, 2], 0, 1, 'float32', 12);
    const labels = tf.oneHot(tf.tensor1d([1, 0, 2, 2, 1], 'int32'), 3);
    expect(await checkAgainstFiniteDifferences(head, x, labels)).toBeLessThan(2e-3);
    tf.dispose([x, labels]);
    head.dispose();
  });
});

describe('tensor memory', () => {
  it('does not leak over repeated apply inside and outside tf.tidy', () => {
    const head = createMlpHead({ inputShape: [4, 4, 3], hidden: 5, classes: 3 });
    const x = tf.ones([2, 4, 4, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        head.apply(x);
      });
      head.apply(x).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(before - 1 - 4);
  });
});

describe('grid pooling', () => {
  it('averages k x k windows down to about a 7 x 7 grid, then flattens (hand-computed)', () => {
    // A 14 x 14 x 1 map of 0, 1, 2, ...: k = 2, the first window holds 0, 1, 14, 15.
    const pooling = createPooling([14, 14, 1], 'grid');
    expect(pooling.window).toBe(2);
    expect(pooling.size).toBe(49);
    expect(pooling.macs).toBe(49 * 4);
    const x = tf.tensor(Float32Array.from({ length: 196 }, (_, i) => i), [1, 14, 14, 1]);
    const pooled = pooling.apply(x);
    expect(Array.from(pooled.dataSync().slice(0, 2))).toEqual([7.5, 9.5]);
    expect(pooled.shape).toEqual([1, 49]);
    tf.dispose([x, pooled]);
    // Maps of 13 or fewer rows are only flattened; rank-2 token maps too.
    expect(createPooling([7, 7, 3], 'grid')).toMatchObject({ window: 1, size: 147, macs: 0 });
    expect(createPooling([17, 8], 'grid')).toMatchObject({ kind: 'flatten', size: 136 });
    expect(createPooling([64], 'grid')).toMatchObject({ kind: 'none', size: 64 });
  });
});
