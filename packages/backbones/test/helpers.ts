import { createRng, defineGate } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { TfModule } from '../src/index.js';

/** Uniform values in [-1, 1) from a seed. */
export function randomArray(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
}

function seededVariable(name: string, shape: number[], seed: number): tf.Variable {
  const initial = tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

/**
 * A small exit head for the tests: global average pooling over all axes but the last (when the
 * features have rank > 1), then a dense layer to the classes. Weights are seeded uniform values.
 */
export function poolDenseHead(
  inputShape: readonly number[],
  classes: number,
  seed: number,
  name: string,
): TfModule {
  const channels = inputShape[inputShape.length - 1]!;
  const axes = inputShape.slice(0, -1).map((_, i) => i + 1);
  const kernel = seededVariable(`${name}/kernel`, [channels, classes], seed);
  const bias = seededVariable(`${name}/bias`, [classes], seed + 1);
  return {
    name,
    inputShape,
    outputShape: [classes],
    macs: (axes.length > 0 ? inputShape.reduce((a, b) => a * b, 1) : 0) + channels * classes,
    variables: [kernel, bias],
    apply: (x) =>
      tf.tidy(() => {
        const pooled = axes.length > 0 ? tf.mean(x, axes) : x;
        return tf.add(tf.matMul(pooled as tf.Tensor2D, kernel as tf.Tensor2D), bias);
      }),
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
}

/** Max-prob written inline as a user would: the largest class probability per sample. */
export const maxProbGate = defineGate({
  name: 'inline-max-prob',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.9,
  score: (_options, context) => (signal) => {
    const out = new Float32Array(signal.batch);
    for (let i = 0; i < signal.batch; i++) {
      let best = 0;
      for (let c = 0; c < context.classes; c++) best = Math.max(best, signal.probs[i * context.classes + c]!);
      out[i] = best;
    }
    return out;
  },
});
