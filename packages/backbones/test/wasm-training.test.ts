import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCnnBackbone, type StagedBackbone, type TfModule, useWasmBackend } from '../src/index.js';
import { createLinearHead } from '@offramp/heads';
import { randomArray } from './helpers.js';

const n = 32;
const images = randomArray(n * 8 * 8, 5);
// Label 1 when the image is brighter than average: global pooling of conv features can see it.
const labels = Array.from({ length: n }, (_, i) => {
  let sum = 0;
  for (let k = 0; k < 64; k++) sum += images[i * 64 + k]!;
  return sum > 0 ? 1 : 0;
});

function build(): { backbone: StagedBackbone; head: TfModule } {
  const backbone = createCnnBackbone({
    inputShape: [8, 8, 1],
    stages: [
      { filters: 4, kernelSize: 3, pool: 'max' },
      { filters: 6, kernelSize: 3, strides: 2 },
    ],
    seed: 1,
    name: 'tiny',
  });
  const head = createLinearHead({ inputShape: backbone.stages[1]!.outputShape, classes: 2, pool: 'avg', seed: 7, name: 'tiny-head' });
  return { backbone, head };
}

function lossOf(backbone: StagedBackbone, head: TfModule): tf.Scalar {
  const x = tf.tensor4d(images, [n, 8, 8, 1]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  const features = backbone.stages.reduce((h, stage) => stage.apply(h), x as tf.Tensor);
  return tf.losses.softmaxCrossEntropy(y, head.apply(features)) as tf.Scalar;
}

async function gradients(): Promise<Float32Array[]> {
  const { backbone, head } = build();
  const { grads, value } = tf.variableGrads(() => lossOf(backbone, head), [...backbone.variables]);
  const out = await Promise.all(backbone.variables.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
  tf.dispose([value, ...Object.values(grads)]);
  backbone.dispose();
  head.dispose();
  return out;
}

beforeAll(async () => {
  await useWasmBackend();
});

describe('training a tiny CNN on wasm', () => {
  it('gets the same gradients as the cpu backend', async () => {
    await tf.setBackend('cpu');
    const expected = await gradients();
    await tf.setBackend('wasm');
    const actual = await gradients();
    expected.forEach((e, v) => {
      const a = actual[v]!;
      let worst = 0;
      for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(a[k]! - e[k]!));
      expect(worst).toBeLessThan(1e-4);
    });
  });

  it('lowers the loss over a few steps without leaking tensors', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const { backbone, head } = build();
    const optimizer = tf.train.adam(0.01);
    const variables = [...backbone.variables, ...head.variables];
    const kernelBefore = Array.from(await backbone.variables[0]!.data());
    const losses: number[] = [];
    const step = async () => {
      const loss = optimizer.minimize(() => lossOf(backbone, head), true, variables)!;
      losses.push((await loss.data())[0]!);
      loss.dispose();
    };
    await step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 19; i++) await step();
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 0.1);
    expect(Array.from(await backbone.variables[0]!.data())).not.toEqual(kernelBefore);
    optimizer.dispose();
    backbone.dispose();
    head.dispose();
  });
});
