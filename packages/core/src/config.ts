import { z } from 'zod';
import { ConfigError, CountMismatchError } from './errors.js';
import { type ExitPolicy, policySpecSchema, resolvePolicy } from './policy.js';
import { defaultGateRegistry, type GateRegistry } from './registry.js';
import { parseJsonText } from './json-text.js';
import { issueDetails, mainIssue } from './zod-issue.js';

const positiveInt = z.number().int().positive();
const options = z.record(z.string(), z.unknown()).default({});

const part = z.object({ type: z.string().min(1), options }).strict();

export const networkConfigSchema = z
  .object({
    version: z.literal(2),
    name: z.string().min(1).optional(),
    inputShape: z.array(positiveInt).min(1),
    classes: z.number().int().min(2),
    backbone: part,
    /** Number of exits L; stage l feeds exit l, and the last exit is the backbone's own head. */
    exits: positiveInt,
    heads: z.array(part),
    /** The policy the network runs with: gate, options, thresholds. */
    policy: policySpecSchema,
    /** Other operating points evaluated for the network, one per gate (none the policy's gate), same shape. */
    alternatives: z.array(policySpecSchema).optional(),
    costs: z
      .object({ stageMacs: z.array(z.number().nonnegative()), headMacs: z.array(z.number().nonnegative()) })
      .strict()
      .optional(),
    calibration: z.object({ temperatures: z.array(z.number().positive()) }).strict().optional(),
  })
  .strict();

/** A whole network described in JSON: backbone, exits, heads, the exit policy and its alternatives. */
export type NetworkConfig = z.infer<typeof networkConfigSchema>;

/**
 * The exit policy of a config (or of `config.alternatives[index]`), resolved against a gate
 * registry for the config's network. Needs `costs` in the config (MACs per stage and head).
 */
export function policyFromConfig(
  config: NetworkConfig,
  registry: GateRegistry = defaultGateRegistry,
  alternative?: number,
): ExitPolicy {
  const field = alternative === undefined ? 'policy' : `alternatives[${alternative}]`;
  const spec = alternative === undefined ? config.policy : config.alternatives?.[alternative];
  if (!spec) throw new ConfigError({ field, expected: 'a policy', received: 'none' });
  if (!config.costs) throw new ConfigError({ field: 'costs', expected: '{ stageMacs, headMacs }', received: 'undefined' });
  return resolvePolicy(spec, { exits: config.exits, classes: config.classes, ...config.costs }, registry, field);
}

/**
 * Checks only the shape of a network config (no registry needed; unknown keys are errors); the
 * ConfigError names the field under `prefix` (e.g. `manifest.config` for a config embedded there).
 */
export function parseNetworkConfigShape(raw: unknown, prefix = ''): NetworkConfig {
  const parsed = networkConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(issueDetails(mainIssue(parsed.error.issues), raw, prefix, networkConfigSchema));
  return parsed.data;
}

/**
 * Validates a network config: its shape (unknown keys are errors), then that heads, costs and
 * calibration match the exits, and that every policy resolves: its gate registered, its options
 * valid, its thresholds one per gated exit inside the gate's range.
 */
export function parseNetworkConfig(raw: unknown, registry: GateRegistry = defaultGateRegistry): NetworkConfig {
  const config = parseNetworkConfigShape(raw);
  if (config.heads.length !== config.exits) {
    throw new CountMismatchError({
      field: 'heads',
      expected: `${config.exits} heads (one per exit)`,
      received: `${config.heads.length} heads`,
    });
  }
  for (const [key, list] of [
    ['costs.stageMacs', config.costs?.stageMacs],
    ['costs.headMacs', config.costs?.headMacs],
    ['calibration.temperatures', config.calibration?.temperatures],
  ] as const) {
    if (list && list.length !== config.exits) {
      throw new CountMismatchError({ field: key, expected: `${config.exits} entries`, received: `${list.length}` });
    }
  }
  const costs = config.costs ?? { stageMacs: new Array<number>(config.exits).fill(0), headMacs: new Array<number>(config.exits).fill(0) };
  const network = { exits: config.exits, classes: config.classes, ...costs };
  resolvePolicy(config.policy, network, registry, 'policy');
  const gates = new Map([[config.policy.gate, 'policy']]);
  config.alternatives?.forEach((spec, k) => {
    const field = `alternatives[${k}]`;
    const taken = gates.get(spec.gate);
    if (taken !== undefined) {
      throw new ConfigError({
        field: `${field}.gate`,
        expected: 'a gate not used by the policy or another alternative (one operating point per gate)',
        received: `${JSON.stringify(spec.gate)}, the gate of ${taken}`,
      });
    }
    gates.set(spec.gate, field);
    resolvePolicy(spec, network, registry, field);
  });
  return config;
}

/** Parses JSON text (bounded, each key once; see parseJsonText), then validates it as a network config. */
export function parseNetworkConfigJson(text: string, registry?: GateRegistry, source = 'config'): NetworkConfig {
  const raw = parseJsonText(text, { source, error: (details) => new ConfigError(details) });
  return parseNetworkConfig(raw, registry);
}
