import type { Gate } from '@offramp/core';
import { entropyGate, marginGate, maxProbGate } from '@offramp/gates';

export type GateName = 'max-prob' | 'entropy' | 'margin';
export const GATE_NAMES: readonly GateName[] = ['max-prob', 'entropy', 'margin'];

const PLUGINS = { 'max-prob': maxProbGate, entropy: entropyGate, margin: marginGate } as const;

/** The named rule gate with its default options, for `exits` exits and `classes` classes. */
export function createRuleGate(name: GateName, exits: number, classes: number): Gate {
  return PLUGINS[name].create({}, { exits, classes });
}
