import { type ConfiguredNetwork, createNetwork, SMALL_DIGITS_CNN } from '@offramp/backbones';
import type { GateRegistry, NetworkConfig, PolicySpec } from '@offramp/core';

/** The digits network: three conv stages, each followed by an exit; the last exit is the backbone's own head. */
export const DIGITS_ARCHITECTURE = SMALL_DIGITS_CNN;

export type DigitsNetwork = ConfiguredNetwork;

/**
 * The digits network as a JSON config: the CNN backbone, a linear head after every stage, and an
 * exit policy (max-prob at its default threshold until one is chosen); `costs` once they are known.
 */
export function digitsConfig(
  policy: PolicySpec = { gate: 'max-prob' },
  extra: Pick<NetworkConfig, 'alternatives' | 'costs'> = {},
): NetworkConfig {
  return {
    version: 2,
    name: 'digits-cnn',
    inputShape: [...DIGITS_ARCHITECTURE.inputShape],
    classes: DIGITS_ARCHITECTURE.classes,
    backbone: { type: 'cnn', options: { stages: DIGITS_ARCHITECTURE.stages } },
    exits: DIGITS_ARCHITECTURE.stages.length,
    heads: DIGITS_ARCHITECTURE.stages.map(() => ({ type: 'linear', options: { pool: DIGITS_ARCHITECTURE.headPool } })),
    policy,
    ...extra,
  };
}

/** Builds the digits network from its config, through the backbone, head and gate registries. */
export function createDigitsNetwork(seed: number, gates?: GateRegistry, config: NetworkConfig = digitsConfig()): DigitsNetwork {
  return createNetwork(config, { seed, ...(gates ? { gates } : {}) });
}
