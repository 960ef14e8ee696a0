import { type GateRegistry, type NetworkConfig, parseNetworkConfig, type PolicySpec } from '@offramp/core';
import type { GateReport } from './evaluate-gate.js';
import { DIGITS_ARCHITECTURE, digitsConfig } from './network.js';

/**
 * The trained digits network as a validated JSON config: the architecture, one head per exit, the
 * max-prob policy it runs with, and every other gate's policy (the shared threshold chosen for it;
 * gates with no qualifying point keep their default) as alternatives.
 */
export function digitsNetworkConfig(
  gates: readonly GateReport[],
  macs: { stageMacs: readonly number[]; headMacs: readonly number[] },
  registry: GateRegistry,
): NetworkConfig {
  const exits = DIGITS_ARCHITECTURE.stages.length;
  const policyOf = (g: GateReport): PolicySpec => ({
    gate: g.gate,
    ...(g.threshold === null ? {} : { thresholds: new Array<number>(exits - 1).fill(g.threshold) }),
  });
  const main = gates.find((g) => g.gate === 'max-prob') ?? gates[0]!;
  return parseNetworkConfig(
    digitsConfig(policyOf(main), {
      alternatives: gates.filter((g) => g !== main).map(policyOf),
      costs: { stageMacs: [...macs.stageMacs], headMacs: [...macs.headMacs] },
    }),
    registry,
  );
}
