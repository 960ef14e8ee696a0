import { createTwoStreamModel, type TwoStreamModel } from '@offramp/backbones';
import { createExitPolicy, type ExitPolicy } from '@offramp/core';
import { SMALL_TWO_STREAM, twoStreamData } from '../../backbones/test/small-models.js';
import { similarityGate } from '@offramp/gates';
import { decoderExitCosts, encoderExitCosts, type StreamInput } from '../src/index.js';

export const n = 12;
export const { pixels, tokens } = twoStreamData(n);
export const imageInput: StreamInput = { stream: 'image', n, pixels };
export const textInput: StreamInput = { stream: 'text', n, tokens };

/** The similarity gate for a model of 3 encoder and 3 decoder layers. */
export const similarity = similarityGate.create({}, { exits: 3, classes: 12 });

/** A small two-stream model: 8x8 images in 4 patches, 4 text tokens, 3 encoder and 3 decoder layers. */
export function createTestModel(name: string): TwoStreamModel {
  return createTwoStreamModel({ ...SMALL_TWO_STREAM, name });
}

/** A stream policy of the similarity gate (thresholds in core's terms: +Infinity closes an exit). */
export function streamPolicy(model: TwoStreamModel, input: StreamInput, thresholds: number | number[]): ExitPolicy {
  return createExitPolicy({ gate: similarity, thresholds, costs: encoderExitCosts(model, input.stream) });
}

/** A decoder policy of the similarity gate. */
export function stepPolicy(model: TwoStreamModel, threshold: number): ExitPolicy {
  return createExitPolicy({ gate: similarity, thresholds: threshold, costs: decoderExitCosts(model) });
}
