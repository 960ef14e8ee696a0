import type { TwoStreamModel } from '@offramp/backbones';
import { computeExitCosts, createExitPolicy, type ExitCosts, type ExitPolicy, type Gate } from '@offramp/core';
import { similarityThresholds } from './similarity-thresholds.js';
import { embeddingMacs, type StreamKind, streamLength } from './stream-input.js';

/**
 * The cost table of one encoder stream, per sample: the embedding with the first layer, each encoder layer over the
 * stream's positions, no head, and a similarity check after every layer but the last. Exiting at layer l costs
 * what `runEncoderStream` counts for a sample that left there.
 */
export function encoderExitCosts(model: TwoStreamModel, stream: StreamKind): ExitCosts {
  const layers = model.options.encoderLayers;
  const length = streamLength(model, stream);
  const layer = model.macs.encoderLayer(length);
  return computeExitCosts({
    stageMacs: Array.from({ length: layers }, (_, l) => (l === 0 ? embeddingMacs(model, stream) : 0) + layer),
    headMacs: new Array<number>(layers).fill(0),
    gateMacs: new Array<number>(layers).fill(model.macs.similarity(length * model.options.dModel)),
  });
}

/**
 * An exit policy for one encoder stream: a similarity gate, its thresholds (one number for every layer before the
 * last, one per layer, or none for the gate's default; above the gate's range: closed, see similarityThresholds)
 * and the costs of `encoderExitCosts`.
 */
export function encoderStreamPolicy(
  model: TwoStreamModel,
  stream: StreamKind,
  gate: Gate,
  thresholds?: number | ArrayLike<number>,
): ExitPolicy {
  return createExitPolicy({
    gate,
    thresholds: thresholds === undefined ? undefined : similarityThresholds(gate, thresholds),
    costs: encoderExitCosts(model, stream),
  });
}
