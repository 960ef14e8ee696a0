import { createTwoStreamModel, type TwoStreamModel } from '@offramp/backbones';
import { createExitPolicy, createRng, type ExitPolicy } from '@offramp/core';
import { similarityGate } from '@offramp/gates';
import { decoderExitCosts, encoderExitCosts, type StreamInput } from '../src/index.js';

export const n = 12;
const rng = createRng(5);
/** Pixels |u| for u uniform in [-1, 1). */
export const pixels = Float32Array.from({ length: n * 64 }, () => Math.abs(rng.next() * 2 - 1));
// texts of 1 to 4 real tokens, padded with 0
export const tokens = Int32Array.from({ length: n * 4 }, (_, k) => (k % 4 <= Math.floor(k / 4) % 4 ? 3 + ((k * 7) % 9) : 0));
export const imageInput: StreamInput = { stream: 'image', n, pixels };
export const textInput: StreamInput = { stream: 'text', n, tokens };

/** The similarity gate for a model of 3 encoder and 3 decoder layers. */
export const similarity = similarityGate.create({}, { exits: 3, classes: 12 });

/** A small two-stream model: 8x8 images in 4 patches, 4 text tokens, 3 encoder and 3 decoder layers. */
export function createTestModel(name: string): TwoStreamModel {
  return createTwoStreamModel({
    vocabSize: 12,
    textLength: 4,
    steps: 5,
    dModel: 8,
    heads: 2,
    encoderLayers: 3,
    decoderLayers: 3,
    imageSize: 8,
    patchSize: 4,
    seed: 3,
    name,
  });
}

/** A stream policy of the similarity gate (thresholds in core's terms: +Infinity closes an exit). */
export function streamPolicy(model: TwoStreamModel, input: StreamInput, thresholds: number | number[]): ExitPolicy {
  return createExitPolicy({ gate: similarity, thresholds, costs: encoderExitCosts(model, input.stream) });
}

/** A decoder policy of the similarity gate. */
export function stepPolicy(model: TwoStreamModel, threshold: number): ExitPolicy {
  return createExitPolicy({ gate: similarity, thresholds: threshold, costs: decoderExitCosts(model) });
}
