import { DuplicateGateError, defaultGateRegistry, type GatePlugin, GateRegistry } from '@offramp/core';
import { entropyGate } from './entropy.js';
import { hiddenStateGate } from './hidden-state.js';
import { jeiGate } from './jei.js';
import { marginGate } from './margin.js';
import { maxProbGate } from './max-prob.js';
import { patienceGate } from './patience.js';
import { powerEntropyGate } from './power-entropy.js';
import { similarityGate } from './similarity.js';

/** The rule gates: scores from the exits' probabilities alone, no learned weights, default options. */
export const ruleGates: readonly GatePlugin<unknown>[] = Object.freeze([
  maxProbGate,
  marginGate,
  entropyGate,
  powerEntropyGate,
  patienceGate,
]);

/**
 * Every inference gate of this package: the rule gates, the learned `jei` and `hidden-state` gates
 * (their options are the trained weights) and `similarity` (MuE), so that a registry holding them
 * can rebuild any gate an exported bundle or config names.
 */
export const builtinGates: readonly GatePlugin<unknown>[] = Object.freeze([
  ...ruleGates,
  jeiGate,
  hiddenStateGate,
  similarityGate,
]);

/**
 * Registers every built-in gate in `registry` (the default registry when omitted) and returns the
 * names it added. A name already taken by the same plugin is left as it is, so calling it again
 * adds nothing; a name taken by a different plugin is a DuplicateGateError, thrown before anything
 * is registered.
 */
export function registerBuiltinGates(registry: GateRegistry = defaultGateRegistry): string[] {
  const clash = builtinGates.find((plugin) => registry.has(plugin.name) && registry.get(plugin.name) !== plugin);
  if (clash) throw new DuplicateGateError(clash.name);
  const added = builtinGates.filter((plugin) => !registry.has(plugin.name));
  for (const plugin of added) registry.register(plugin);
  return added.map((plugin) => plugin.name);
}

/**
 * A new registry holding every built-in gate (the default registry is left alone): create gates
 * from it by name, their options validated by the plugin's schema.
 */
export function builtinGateRegistry(): GateRegistry {
  const registry = new GateRegistry();
  registerBuiltinGates(registry);
  return registry;
}
