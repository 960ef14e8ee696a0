import { z } from 'zod';
import { type CostModel, computeExitCosts, type ExitCosts } from './cost.js';
import { ArgumentError, ConfigError, CountMismatchError } from './errors.js';
import { describeValue, type Gate, type GateContext } from './gate.js';
import { type NeedFlags, needFlags } from './needs.js';
import { defaultGateRegistry, type GateRegistry } from './registry.js';
import { resolveThresholds } from './thresholds.js';
import { issueDetails, mainIssue } from './zod-issue.js';

/**
 * An exit policy as JSON: the gate plugin's name, its options (a learned gate's weights too), and
 * one threshold per exit before the last (omitted: the gate's default threshold at every exit;
 * `null`: that exit is closed, no row leaves there, as JSON cannot hold +Infinity).
 * The network config and the ONNX manifest embed this object as it is.
 */
export const policySpecSchema = z
  .object({
    gate: z.string().min(1),
    options: z.unknown().optional(),
    thresholds: z.array(z.number().nullable()).optional(),
  })
  .strict();

export type PolicySpec = z.infer<typeof policySpecSchema>;

/**
 * A policy fixed for one network: the gate, what it asks the runner for, one threshold per exit
 * before the last as a typed array (checked against the gate's range), and the network's costs.
 * Every runner takes this shape; `createExitPolicy` and `resolvePolicy` are the only ways to make one.
 */
export interface ExitPolicy {
  readonly gate: Gate;
  readonly needs: NeedFlags;
  readonly thresholds: Float64Array;
  readonly costs: ExitCosts;
}

/** A gate, thresholds in any accepted form (one number for all exits, a list, or none) and costs. */
export interface PolicyParts {
  readonly gate: Gate;
  /** One per exit before the last, or one number for all; omitted: the gate's default threshold. */
  readonly thresholds?: number | ArrayLike<number> | undefined;
  readonly costs: ExitCosts;
}

/** Fixes a gate, its thresholds and the costs into an ExitPolicy (thresholds checked: count and range). */
export function createExitPolicy(parts: PolicyParts, field = 'thresholds'): ExitPolicy {
  if (parts === null || typeof parts !== 'object' || !parts.gate || !parts.costs) {
    throw new ArgumentError({ field: 'policy', expected: '{ gate, thresholds?, costs }', received: describeValue(parts) });
  }
  const built = parts.gate.context?.exits;
  if (built !== undefined && built !== parts.costs.exits) {
    throw new CountMismatchError({
      field: 'policy.gate',
      expected: `a gate created for ${parts.costs.exits} exits (as the costs have)`,
      received: `gate ${JSON.stringify(parts.gate.name)} created for ${built} exits`,
    });
  }
  const thresholds = resolveThresholds(parts.gate, parts.thresholds ?? parts.gate.defaultThreshold, parts.costs.exits, field);
  return Object.freeze({ gate: parts.gate, needs: needFlags(parts.gate), thresholds, costs: parts.costs });
}

/** The same policy with other thresholds (e.g. set by an online adapter), checked the same way. */
export function withThresholds(policy: ExitPolicy, thresholds: number | ArrayLike<number>, field = 'thresholds'): ExitPolicy {
  return createExitPolicy({ gate: policy.gate, thresholds, costs: policy.costs }, field);
}

/** What a policy is resolved against: the network's exits, classes, feature sizes and MACs. */
export interface PolicyNetwork extends GateContext {
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
}

/** Checks raw JSON as a policy spec; a ConfigError names the first bad field under `field`. */
export function parsePolicySpec(raw: unknown, field = 'policy'): PolicySpec {
  const parsed = policySpecSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(issueDetails(mainIssue(parsed.error.issues), raw, field, policySpecSchema));
  return parsed.data;
}

/**
 * Resolves a policy spec against a gate registry and a network: the gate is created by name with
 * its options validated by the plugin's schema, its MACs join the network's in the cost table, and
 * the thresholds are checked (one per exit before the last, each in the gate's range). Whichever
 * door a policy comes in through (config, manifest, code), bad input fails here with one typed
 * error naming the field under `field`.
 */
export function resolvePolicy(
  raw: unknown,
  network: PolicyNetwork,
  registry: GateRegistry = defaultGateRegistry,
  field = 'policy',
): ExitPolicy {
  const spec = parsePolicySpec(raw, field);
  const context: GateContext = {
    exits: network.exits,
    classes: network.classes,
    ...(network.hiddenSizes ? { hiddenSizes: network.hiddenSizes } : {}),
  };
  const gate = registry.create({ name: spec.gate, options: spec.options }, context, field, 'gate');
  const model: CostModel = {
    stageMacs: network.stageMacs,
    headMacs: network.headMacs,
    gateMacs: Array.from({ length: network.exits }, (_, l) => gate.macs(l)),
  };
  const thresholds = spec.thresholds?.map((t) => t ?? Number.POSITIVE_INFINITY);
  return createExitPolicy({ gate, thresholds, costs: computeExitCosts(model) }, `${field}.thresholds`);
}
