import { ArgumentError, checkSampleShape, checkWholeNumber } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { denseMacs } from './macs.js';
import { attachLayers, glorotVariable, zerosVariable } from '@offramp/heads';
import { assembleStage } from './stage-module.js';
import {
  assembleBackbone,
  backboneName,
  backboneSeed,
  buildStages,
  type StagedBackbone,
} from './staged-backbone.js';

export interface MlpBackboneOptions {
  /** Shape of one input sample; samples of rank > 1 are flattened by the first stage. */
  readonly inputShape: readonly number[];
  /** Width of each stage: stage l is one dense layer with hidden[l] units and a ReLU. */
  readonly hidden: readonly number[];
  /** Seed of the glorot-uniform kernels (stage l draws from seed + l); default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default a fresh `mlp-backbone-N`. */
  readonly name?: string;
}

/** A staged MLP: stage l = dense(hidden[l]) -> relu. MACs of a stage: inputs x units. */
export function createMlpBackbone(options: MlpBackboneOptions): StagedBackbone {
  checkSampleShape(options.inputShape, 'inputShape');
  if (!Array.isArray(options.hidden) || options.hidden.length === 0) {
    throw new ArgumentError({
      field: 'hidden',
      expected: 'a non-empty array of layer widths (one stage each)',
      received: String(options.hidden),
    });
  }
  options.hidden.forEach((width, i) => {
    checkWholeNumber(width, 1, `hidden[${i}]`);
  });
  const seed = backboneSeed(options.seed);
  const name = backboneName(options.name, 'mlp');
  const inputShape = [...options.inputShape];
  const flatInput = inputShape.reduce((a, b) => a * b, 1);

  const stages = buildStages(options.hidden.length, (i) => {
    const units = options.hidden[i]!;
    const inputs = i === 0 ? flatInput : options.hidden[i - 1]!;
    const stageName = `${name}/stage${i}`;
    const kernel = glorotVariable(`${stageName}/kernel`, [inputs, units], seed + i);
    const bias = zerosVariable(`${stageName}/bias`, [units]);
    const stage = assembleStage({
      name: stageName,
      inputShape: i === 0 ? inputShape : [inputs],
      outputShape: [units],
      macs: denseMacs(inputs, units),
      variables: [kernel, bias],
      forward: (x) => {
        const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0]!, inputs]);
        return tf.relu(tf.add(tf.matMul(flat as tf.Tensor2D, kernel as tf.Tensor2D), bias));
      },
    });
    return attachLayers(stage, [
      ...(i === 0 && inputShape.length > 1 ? [{ op: 'flatten' } as const] : []),
      { op: 'dense', kernel, bias },
      { op: 'relu' },
    ]);
  });
  return assembleBackbone('mlp', inputShape, stages);
}
