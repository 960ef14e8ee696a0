import { ArgumentError, createRng } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmConv2DBackpropFilter, useWasmBackend } from '../src/index.js';

function randomArray(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
}

interface Case {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly strides: number | [number, number];
  readonly pad: 'same' | 'valid' | number;
}

/** d/dW of sum(conv2d(x, W) * r), i.e. Conv2DBackpropFilter with dy = r, on the active backend. */
async function filterGradient(c: Case, seed: number): Promise<Float32Array> {
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.inChannels, c.outChannels];
  const x = tf.tensor4d(randomArray(xShape.reduce((a, b) => a * b), seed), xShape);
  const w = tf.tensor4d(randomArray(wShape.reduce((a, b) => a * b), seed + 1), wShape);
  const outShape = tf.tidy(() => tf.conv2d(x, w, c.strides, c.pad).shape);
  const r = tf.tensor(randomArray(outShape.reduce((a, b) => a * b), seed + 2), outShape);
  const grad = tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad), r)))(w);
  const values = (await grad.data()) as Float32Array;
  tf.dispose([x, w, r, grad]);
  return values;
}

const cases: Case[] = [];
for (const strides of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    for (const kernel of [1, 3, 5]) {
      cases.push({ batch: 3, height: 7, width: 9, inChannels: 2, outChannels: 4, kernel, strides, pad });
    }
  }
}
cases.push({ batch: 2, height: 5, width: 5, inChannels: 3, outChannels: 2, kernel: 5, strides: 2, pad: 'valid' });
cases.push({ batch: 2, height: 8, width: 6, inChannels: 1, outChannels: 3, kernel: 3, strides: 2, pad: 'same' });
cases.push({ batch: 2, height: 9, width: 8, inChannels: 2, outChannels: 3, kernel: 3, strides: [2, 1], pad: 'same' });
cases.push({ batch: 2, height: 9, width: 7, inChannels: 2, outChannels: 3, kernel: 3, strides: [1, 2], pad: 'valid' });
// Numeric padding only with square strides: tfjs 4.22 sizes a numerically padded conv2d output
// with the height's stride on both axes, which is wrong for non-square strides on any backend.
cases.push({ batch: 2, height: 9, width: 8, inChannels: 2, outChannels: 3, kernel: 3, strides: 2, pad: 1 });
cases.push({ batch: 1, height: 11, width: 11, inChannels: 4, outChannels: 1, kernel: 3, strides: 2, pad: 'valid' });

beforeAll(async () => {
  await useWasmBackend();
});

describe('wasm Conv2DBackpropFilter', () => {
  it('is registered once, and registering again keeps it', () => {
    const first = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(first).toBeDefined();
    registerWasmConv2DBackpropFilter();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it.each(cases.map((c, i) => [i, c] as const))('matches the cpu backend, case %i: %o', async (i, c) => {
    await tf.setBackend('cpu');
    const expected = await filterGradient(c, 100 + i);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const actual = await filterGradient(c, 100 + i);
    expect(tf.memory().numTensors).toBe(before);
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let k = 0; k < actual.length; k++) worst = Math.max(worst, Math.abs(actual[k]! - expected[k]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('does not grow wasm memory over repeated gradients', async () => {
    const c = cases[7]!;
    await filterGradient(c, 1);
    const before = tf.memory();
    for (let i = 0; i < 5; i++) await filterGradient(c, 1);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('refuses channels-first data with a typed error', () => {
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 3, 2, 2]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'valid',
        dataFormat: 'NCHW',
        filterShape: [3, 3, 2, 3],
      }),
    ).toThrow(ArgumentError);
    tf.dispose([x, dy]);
  });
});
