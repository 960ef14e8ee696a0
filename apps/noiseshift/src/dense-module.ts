import type { Module } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/** A dense layer on the flattened input (optionally with ReLU) as a Module, for the classifiers' top. */
export function denseModule(spec: {
  name: string;
  inputShape: readonly number[];
  units: number;
  relu: boolean;
  seed: number;
}): Module<tf.Tensor, tf.Variable> {
  const inputs = spec.inputShape.reduce((a, b) => a * b, 1);
  const initial = tf.initializers.glorotUniform({ seed: spec.seed }).apply([inputs, spec.units]);
  const kernel = tf.variable(initial, true, `${spec.name}/kernel`);
  const zeros = tf.zeros([spec.units]);
  const bias = tf.variable(zeros, true, `${spec.name}/bias`);
  tf.dispose([initial, zeros]);
  return {
    name: spec.name,
    macs: inputs * spec.units,
    inputShape: [...spec.inputShape],
    outputShape: [spec.units],
    variables: [kernel, bias],
    apply: (x) =>
      tf.tidy(() => {
        const y = tf.add(tf.matMul(tf.reshape(x, [x.shape[0]!, inputs]), kernel), bias);
        return spec.relu ? tf.relu(y) : y;
      }),
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
}
