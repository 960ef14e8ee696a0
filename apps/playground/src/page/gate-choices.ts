import { computeExitCosts, type ExitCosts, type Gate, type GateContext, type GatePlugin, validateGateOptions } from '@offramp/core';
import { entropyGate, marginGate, maxProbGate, patienceGate, powerEntropyGate } from '@offramp/gates';

/** The built-in gates the page offers, by name. */
export const BUILTIN_PLUGINS: readonly GatePlugin<unknown>[] = [
  maxProbGate,
  marginGate,
  entropyGate,
  powerEntropyGate,
  patienceGate,
] as readonly GatePlugin<unknown>[];

/** A plugin's gate with its default options. */
export function defaultGate(plugin: GatePlugin<unknown>, context: GateContext): Gate {
  return plugin.create(validateGateOptions(plugin, {}), context);
}

/** The network's cost table with the gate's MACs at every gated exit. */
export function costsWithGate(macs: { readonly stages: readonly number[]; readonly heads: readonly number[] }, gate: Gate): ExitCosts {
  return computeExitCosts({
    stageMacs: macs.stages,
    headMacs: macs.heads,
    gateMacs: macs.stages.map((_, l) => gate.macs(l)),
  });
}

/** A slider step for the gate's range: whole steps for whole-number scores (patience), else 1/1000 of it. */
export function thresholdStep(gate: Gate): number {
  const span = gate.range.max - gate.range.min;
  return gate.name === 'patience' ? 1 : span / 1000;
}
