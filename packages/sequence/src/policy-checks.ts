import { ArgumentError, CountMismatchError, type ExitPolicy } from '@offramp/core';

/** Checks that a policy was fixed for `layers` exits, one per layer of the model a runner drives. */
export function checkPolicyLayers(policy: ExitPolicy, layers: number, what: string, field = 'policy'): void {
  if (policy.costs.exits !== layers) {
    throw new CountMismatchError({
      field: `${field}.costs.exits`,
      expected: `${layers} exits (one per ${what})`,
      received: String(policy.costs.exits),
    });
  }
}

/** Checks that a policy's gate reads only the logits and probabilities, the signal token decoding gives it. */
export function checkProbabilityPolicy(policy: ExitPolicy, field = 'policy'): void {
  if (policy.gate.needs.length > 0) {
    throw new ArgumentError({
      field: `${field}.gate`,
      expected: 'a gate that reads only logits and probabilities (needs [])',
      received: `gate ${JSON.stringify(policy.gate.name)} needing [${policy.gate.needs.join(', ')}]`,
    });
  }
}

/** Checks that a policy's gate scores the similarity of consecutive states, the only signal the two-stream runners give. */
export function checkSimilarityPolicy(policy: ExitPolicy, field = 'policy'): void {
  const { needs } = policy;
  if (!needs.similarity || needs.hidden || needs.history) {
    throw new ArgumentError({
      field: `${field}.gate`,
      expected: "a gate that needs only ['similarity'] (e.g. the similarity gate of @offramp/gates)",
      received: `gate ${JSON.stringify(policy.gate.name)} needing [${policy.gate.needs.join(', ')}]`,
    });
  }
}
