import { ArgumentError, type Gate } from '@offramp/core';

/** Checks that `gate` scores the similarity of consecutive states, the only signal these runners give it. */
export function checkSimilarityGate(gate: Gate): void {
  if (!gate.needs.includes('similarity') || gate.needs.some((need) => need !== 'similarity')) {
    throw new ArgumentError({
      field: 'gate',
      expected: "a gate that needs only ['similarity'] (e.g. the similarity gate of @offramp/gates)",
      received: `gate ${JSON.stringify(gate.name)} needing [${gate.needs.join(', ')}]`,
    });
  }
}

/**
 * The gate's scores for one layer given the cosines of its samples. There is no classifier at an encoder layer,
 * so the signal carries no classes (empty logits and probabilities); a similarity gate reads only `similarity`.
 */
export function scoreSimilarity(gate: Gate, layer: number, layers: number, similarity: Float32Array): Float32Array {
  const batch = similarity.length;
  const scores = gate.score({
    exit: layer,
    exits: layers,
    batch,
    classes: 0,
    logits: new Float32Array(0),
    probs: new Float32Array(0),
    cost: (layer + 1) / layers,
    similarity,
  });
  if (!(scores instanceof Float32Array) || scores.length !== batch) {
    throw new ArgumentError({
      field: `gate ${JSON.stringify(gate.name)} score at layer ${layer}`,
      expected: `a Float32Array of ${batch} scores`,
      received: scores instanceof Float32Array ? `${scores.length} scores` : typeof scores,
    });
  }
  return scores;
}
