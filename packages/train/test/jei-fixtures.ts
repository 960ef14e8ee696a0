import * as tf from '@tensorflow/tfjs';
import { createRng, type Module } from '@offramp/core';

export type TfModule = Module<tf.Tensor, tf.Variable>;

/** A dense layer as a Module (seeded uniform weights), with an optional ReLU. */
export function denseModule(name: string, inputs: number, outputs: number, seed: number, relu: boolean): TfModule {
  const rng = createRng(seed);
  const limit = Math.sqrt(6 / (inputs + outputs));
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: inputs * outputs }, () => (2 * rng.next() - 1) * limit), [inputs, outputs]), true, `${name}/w`);
  const b = tf.variable(tf.zeros([outputs]), true, `${name}/b`);
  return {
    name,
    macs: inputs * outputs,
    inputShape: [inputs],
    outputShape: [outputs],
    variables: [w, b],
    apply: (x) => tf.tidy(() => {
      const y = tf.add(tf.matMul(tf.reshape(x, [-1, inputs]), w), b);
      return relu ? tf.relu(y) : y;
    }),
    dispose: () => tf.dispose([w, b]),
  };
}

/**
 * Three Gaussian blobs in 4 dimensions, some easy (far from the others) and some hard, so that early exits are
 * right on part of the data only.
 */
export function blobs(n: number, seed: number): { images: Float32Array; labels: Int32Array; n: number } {
  const rng = createRng(seed);
  const centres = [
    [2, 0, 0, 0],
    [0, 2, 0, 0],
    [0, 0, 2, 0],
  ];
  const images = new Float32Array(n * 4);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    const spread = i % 2 === 0 ? 0.4 : 1.4;
    for (let k = 0; k < 4; k++) {
      const normal = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      images[i * 4 + k] = centres[c]![k]! + spread * normal;
    }
  }
  return { images, labels, n };
}

/** A 3-stage network: dense 4-8-8-8 stages with ReLU and a linear head (8 -> 3) after each. */
export function smallNetwork(prefix: string, seed: number): { stages: TfModule[]; heads: TfModule[]; dispose(): void } {
  const stages = [0, 1, 2].map((l) => denseModule(`${prefix}/stage${l}`, l === 0 ? 4 : 8, 8, seed + l, true));
  const heads = [0, 1, 2].map((l) => denseModule(`${prefix}/head${l}`, 8, 3, seed + 10 + l, false));
  return {
    stages,
    heads,
    dispose() {
      for (const m of [...stages, ...heads]) m.dispose();
    },
  };
}
