import { defaultGateRegistry, type GatePlugin, type GateRegistry } from '@offramp/core';
import { entropyGate } from './entropy.js';
import { marginGate } from './margin.js';
import { maxProbGate } from './max-prob.js';
import { patienceGate } from './patience.js';
import { powerEntropyGate } from './power-entropy.js';

/** Every rule gate of this package. */
export const builtinGates: readonly GatePlugin<unknown>[] = Object.freeze([
  maxProbGate,
  marginGate,
  entropyGate,
  powerEntropyGate,
  patienceGate,
]);

/**
 * Registers each built-in gate whose name is not taken yet in `registry` (the default registry
 * when omitted). Safe to call more than once. Returns the names it registered.
 */
export function registerBuiltinGates(registry: GateRegistry = defaultGateRegistry): string[] {
  const added: string[] = [];
  for (const plugin of builtinGates) {
    if (registry.has(plugin.name)) continue;
    registry.register(plugin);
    added.push(plugin.name);
  }
  return added;
}
