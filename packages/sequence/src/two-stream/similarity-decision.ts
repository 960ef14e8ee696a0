import { decideRows, type ExitPolicy, type ExitSignal } from '@offramp/core';

const NO_CLASSES = new Float32Array(0);

/**
 * The policy's decision at layer `layer` for rows given their cosines cos(h_l, h_{l-1}), through core's
 * `decideRows` (scores checked, `score >= threshold`). No classifier runs at these layers, so the signal carries
 * no classes (empty logits and probabilities); a similarity gate reads only `similarity`.
 */
export function similarityDecision(
  policy: ExitPolicy,
  layer: number,
  similarity: Float32Array,
): { scores: Float32Array; leaving: Uint8Array } {
  const signal: ExitSignal = {
    exit: layer,
    exits: policy.costs.exits,
    batch: similarity.length,
    classes: 0,
    logits: NO_CLASSES,
    probs: NO_CLASSES,
    cost: policy.costs.normalized[layer]!,
    similarity,
  };
  return decideRows(policy.gate, signal, policy.thresholds[layer]!);
}
