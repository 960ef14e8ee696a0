import { type GateRegistry, type NetworkConfig, parseNetworkConfig } from '@offramp/core';
import type { GateReport } from './evaluate-gate.js';
import { DIGITS_ARCHITECTURE } from './network.js';

/**
 * The trained digits network as a validated JSON config: the architecture, one head per exit, and
 * every gate with the shared threshold chosen for it (gates with no qualifying point keep their default).
 */
export function digitsNetworkConfig(
  gates: readonly GateReport[],
  macs: { stageMacs: readonly number[]; headMacs: readonly number[] },
  registry: GateRegistry,
): NetworkConfig {
  const exits = DIGITS_ARCHITECTURE.stages.length;
  return parseNetworkConfig(
    {
      version: 1,
      name: 'digits-cnn',
      inputShape: DIGITS_ARCHITECTURE.inputShape,
      classes: DIGITS_ARCHITECTURE.classes,
      backbone: { type: 'cnn', options: { stages: DIGITS_ARCHITECTURE.stages } },
      exits,
      heads: DIGITS_ARCHITECTURE.stages.map(() => ({ type: 'linear', options: { pool: DIGITS_ARCHITECTURE.headPool } })),
      gates: gates.map((g) => ({
        name: g.gate,
        ...(g.threshold === null ? {} : { thresholds: new Array<number>(exits - 1).fill(g.threshold) }),
      })),
      activeGate: 'max-prob',
      costs: { stageMacs: [...macs.stageMacs], headMacs: [...macs.headMacs] },
    },
    registry,
  );
}
