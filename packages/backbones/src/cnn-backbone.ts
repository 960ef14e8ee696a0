import { ArgumentError, checkSampleShape, checkWholeNumber } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { type ConvPadding, conv2dMacs, conv2dOutputShape } from './macs.js';
import { attachLayers, glorotVariable, zerosVariable } from '@offramp/heads';
import { assembleStage } from './stage-module.js';
import {
  assembleBackbone,
  backboneName,
  backboneSeed,
  buildStages,
  type StagedBackbone,
} from './staged-backbone.js';

/** One stage: conv2d (+ bias) -> relu -> optional 2x2 max pool with stride 2. */
export interface CnnStageSpec {
  readonly filters: number;
  /** Square kernel side. */
  readonly kernelSize: number;
  /** Default 1. */
  readonly strides?: number;
  /** Default 'same'. */
  readonly padding?: ConvPadding;
  /** Default null (no pooling). */
  readonly pool?: 'max' | null;
}

export interface CnnBackboneOptions {
  /** Per-sample [height, width, channels]; tensors are NHWC. */
  readonly inputShape: readonly [number, number, number];
  readonly stages: readonly CnnStageSpec[];
  /** Seed of the glorot-uniform kernels (stage l draws from seed + l); default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default a fresh `cnn-backbone-N`. */
  readonly name?: string;
}

interface CheckedStage {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: ConvPadding;
  readonly pool: boolean;
}

function checkStage(spec: CnnStageSpec, field: string): CheckedStage {
  if (spec === null || typeof spec !== 'object') {
    throw new ArgumentError({ field, expected: 'a stage object', received: String(spec) });
  }
  checkWholeNumber(spec.filters, 1, `${field}.filters`);
  checkWholeNumber(spec.kernelSize, 1, `${field}.kernelSize`);
  const strides = spec.strides ?? 1;
  checkWholeNumber(strides, 1, `${field}.strides`);
  const padding = spec.padding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') {
    throw new ArgumentError({
      field: `${field}.padding`,
      expected: "'same' or 'valid'",
      received: JSON.stringify(padding),
    });
  }
  const pool = spec.pool ?? null;
  if (pool !== null && pool !== 'max') {
    throw new ArgumentError({ field: `${field}.pool`, expected: "'max' or null", received: JSON.stringify(pool) });
  }
  return { filters: spec.filters, kernelSize: spec.kernelSize, strides, padding, pool: pool === 'max' };
}

/** Per-sample shapes through every stage, checking that each convolution and pool fits. */
function planShapes(inputShape: [number, number, number], stages: readonly CheckedStage[]) {
  let shape = inputShape;
  return stages.map((stage, i) => {
    const conv = { inputShape: shape, ...stage };
    if (stage.padding === 'valid' && stage.kernelSize > Math.min(shape[0], shape[1])) {
      throw new ArgumentError({
        field: `stages[${i}].kernelSize`,
        expected: `at most ${Math.min(shape[0], shape[1])} (the stage's input is ${shape.join('x')}) with 'valid' padding`,
        received: String(stage.kernelSize),
      });
    }
    const convShape = conv2dOutputShape(conv);
    let out = convShape;
    if (stage.pool) {
      if (convShape[0] < 2 || convShape[1] < 2) {
        throw new ArgumentError({
          field: `stages[${i}].pool`,
          expected: 'a feature map of at least 2x2 to pool',
          received: `${convShape[0]}x${convShape[1]}`,
        });
      }
      out = [Math.floor(convShape[0] / 2), Math.floor(convShape[1] / 2), convShape[2]];
    }
    const planned = { input: shape, output: out, macs: conv2dMacs(conv) };
    shape = out;
    return planned;
  });
}

/**
 * A staged CNN (NHWC). MACs of a stage: outH * outW * k * k * cin * filters for the convolution;
 * bias adds, ReLU and max pooling are counted as 0.
 */
export function createCnnBackbone(options: CnnBackboneOptions): StagedBackbone {
  checkSampleShape(options.inputShape, 'inputShape');
  if (options.inputShape.length !== 3) {
    throw new ArgumentError({
      field: 'inputShape',
      expected: '[height, width, channels]',
      received: `[${options.inputShape.join(', ')}]`,
    });
  }
  if (!Array.isArray(options.stages) || options.stages.length === 0) {
    throw new ArgumentError({ field: 'stages', expected: 'at least one stage', received: String(options.stages) });
  }
  const specs = options.stages.map((s, i) => checkStage(s, `stages[${i}]`));
  const inputShape: [number, number, number] = [...options.inputShape];
  const plan = planShapes(inputShape, specs);
  const seed = backboneSeed(options.seed);
  const name = backboneName(options.name, 'cnn');

  const stages = buildStages(specs.length, (i) => {
    const spec = specs[i]!;
    const { input, output, macs } = plan[i]!;
    const stageName = `${name}/stage${i}`;
    const kernelShape = [spec.kernelSize, spec.kernelSize, input[2], spec.filters];
    const kernel = glorotVariable(`${stageName}/kernel`, kernelShape, seed + i);
    const bias = zerosVariable(`${stageName}/bias`, [spec.filters]);
    const stage = assembleStage({
      name: stageName,
      inputShape: input,
      outputShape: output,
      macs,
      variables: [kernel, bias],
      forward: (x) => {
        const conv = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, spec.strides, spec.padding);
        const y = tf.relu(tf.add(conv, bias)) as tf.Tensor4D;
        return spec.pool ? tf.maxPool(y, 2, 2, 'valid') : y;
      },
    });
    return attachLayers(stage, [
      { op: 'conv2d', kernel, bias, strides: spec.strides, padding: spec.padding },
      { op: 'relu' },
      ...(spec.pool ? [{ op: 'maxPool', size: 2, strides: 2 } as const] : []),
    ]);
  });
  return assembleBackbone('cnn', inputShape, stages);
}
