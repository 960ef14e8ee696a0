import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createTransformerLm, useWasmBackend } from '../src/index.js';

describe('transformer LM on the wasm backend', () => {
  it('trains every exit on a repeating sequence (all kernels and gradients exist on wasm)', async () => {
    await useWasmBackend();
    const lm = createTransformerLm({ vocabSize: 7, context: 12, dModel: 16, layers: 2, heads: 2, seed: 1, name: 'wasm-lm' });
    const pattern = [1, 2, 3, 4, 5, 6];
    const rows = [0, 1, 2, 3].map((s) => Array.from({ length: 13 }, (_, i) => pattern[(i + s) % 6]!));
    const inputs = tf.tensor2d(rows.map((r) => r.slice(0, 12)), [4, 12], 'int32');
    const targets = tf.oneHot(tf.tensor1d(rows.flatMap((r) => r.slice(1)), 'int32'), 7);
    const optimizer = tf.train.adam(0.02);
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const outs = lm.exitLogits(inputs);
        const terms = outs.map((o) => tf.losses.softmaxCrossEntropy(targets, tf.reshape(o, [-1, 7])));
        return tf.addN(terms) as tf.Scalar;
      });
    const first = loss();
    const start = first.dataSync()[0]!;
    first.dispose();
    for (let i = 0; i < 40; i++) optimizer.minimize(loss, false, lm.variables as tf.Variable[]);
    const last = loss();
    const end = last.dataSync()[0]!;
    last.dispose();
    expect(tf.getBackend()).toBe('wasm');
    expect(end).toBeLessThan(start * 0.2);
    optimizer.dispose();
    tf.dispose([inputs, targets]);
    lm.dispose();
  }, 60_000);
});
