import type { TransformerLm } from '@offramp/backbones';
import { computeExitCosts, createExitPolicy, type ExitCosts, type ExitPolicy, type Gate } from '@offramp/core';

/**
 * The cost table of token decoding with an exit after every layer, per token: layer l with keys averaged over a
 * full window (`lm.layerMacs`), the shared head at every exit, and the gate's MACs when a gate is given. The key and
 * value projections of copied states are not in it (they depend on later tokens); `TokenStep.macs` counts them.
 */
export function tokenExitCosts(lm: TransformerLm, gate?: Gate): ExitCosts {
  return computeExitCosts({
    stageMacs: lm.layerMacs,
    headMacs: lm.layerMacs.map(() => lm.headMacs),
    ...(gate ? { gateMacs: lm.layerMacs.map((_, l) => gate.macs(l)) } : {}),
  });
}

/**
 * An exit policy for token decoding with `lm`: the gate, its thresholds (one number for every exit before the last,
 * one per exit, or none for the gate's default; +Infinity skips that exit's head) and the costs of `tokenExitCosts`.
 */
export function tokenExitPolicy(lm: TransformerLm, gate: Gate, thresholds?: number | ArrayLike<number>): ExitPolicy {
  return createExitPolicy({ gate, thresholds, costs: tokenExitCosts(lm, gate) });
}
