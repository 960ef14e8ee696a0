import * as tf from '@tensorflow/tfjs';
import { checkVariableNameFree, glorotVariable, zerosVariable } from './seeded-variables.js';

/** MACs per sample of a dense layer: one multiply-accumulate per weight (the bias add is not counted). */
export function denseMacs(inputs: number, outputs: number): number {
  return inputs * outputs;
}

/** y = x W + b, with W (inputs x outputs) glorot-uniform from the seed and b zeros. */
export interface DenseLayer {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly macs: number;
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

export function createDenseLayer(
  name: string,
  inputs: number,
  outputs: number,
  seed: number,
  field: string,
): DenseLayer {
  checkVariableNameFree(`${name}/kernel`, field);
  checkVariableNameFree(`${name}/bias`, field);
  const kernel = glorotVariable(`${name}/kernel`, [inputs, outputs], seed);
  const bias = zerosVariable(`${name}/bias`, [outputs]);
  return {
    kernel,
    bias,
    macs: denseMacs(inputs, outputs),
    apply: (x) => tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias),
  };
}
