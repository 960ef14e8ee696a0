import type { TwoStreamModel } from '@offramp/backbones';
import { computeExitCosts, createExitPolicy, type ExitCosts, type ExitPolicy, type Gate } from '@offramp/core';
import { similarityThresholds } from './similarity-thresholds.js';

/**
 * The cost table of one decoding step: each decoder layer with its self-attention keys averaged over the longest
 * sequence ((steps + 1) / 2 keys) and cross-attention to the whole memory, a similarity check of the position's
 * state after every layer but the last, and the shared head, which a step runs once (at its exit) and which is
 * therefore counted with the first layer. Memory keys and values and the copied states' keys and values depend on
 * the whole sequence and are not in it; `DecodeResult.macs` counts them.
 */
export function decoderExitCosts(model: TwoStreamModel): ExitCosts {
  const { decoderLayers: layers, steps, dModel } = model.options;
  const layer = model.macs.decoderLayer((steps + 1) / 2, model.memoryLength);
  return computeExitCosts({
    stageMacs: Array.from({ length: layers }, (_, l) => (l === 0 ? model.macs.head : 0) + layer),
    headMacs: new Array<number>(layers).fill(0),
    gateMacs: new Array<number>(layers).fill(model.macs.similarity(dModel)),
  });
}

/**
 * An exit policy for the decoder, the same at every step: a similarity gate, its thresholds (one number for every
 * layer before the last, one per layer, or none for the gate's default; above the gate's range: closed, see
 * similarityThresholds) and the costs of `decoderExitCosts`.
 */
export function decoderPolicy(model: TwoStreamModel, gate: Gate, thresholds?: number | ArrayLike<number>): ExitPolicy {
  return createExitPolicy({
    gate,
    thresholds: thresholds === undefined ? undefined : similarityThresholds(gate, thresholds),
    costs: decoderExitCosts(model),
  });
}

/**
 * One exit policy per decoding step from a threshold schedule (e.g. MuE's `decoderThresholdSchedule` of
 * @offramp/gates): step t's policy uses `schedule[t]` at every decoder layer.
 */
export function decoderStepPolicies(model: TwoStreamModel, gate: Gate, schedule: ArrayLike<number>): ExitPolicy[] {
  const costs = decoderExitCosts(model);
  return Array.from(schedule, (threshold, t) =>
    createExitPolicy({ gate, thresholds: similarityThresholds(gate, threshold), costs }, `schedule[${t}]`),
  );
}
