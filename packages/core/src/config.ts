import { z } from 'zod';
import { ConfigError, CountMismatchError, ThresholdRangeError } from './errors.js';
import { describeValue, validateGateOptions } from './gate.js';
import { defaultGateRegistry, type GateRegistry } from './registry.js';

const positiveInt = z.number().int().positive();
const options = z.record(z.string(), z.unknown()).default({});

const gateConfigSchema = z.object({
  name: z.string().min(1),
  options: z.unknown().optional(),
  /** One per exit before the last. Omitted: the gate's default threshold everywhere. */
  thresholds: z.array(z.number()).optional(),
});

export const networkConfigSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1).optional(),
  inputShape: z.array(positiveInt).min(1),
  classes: z.number().int().min(2),
  backbone: z.object({ type: z.string().min(1), options }),
  /** Number of exits L; stage l feeds exit l, and the last exit is the backbone's own head. */
  exits: positiveInt,
  heads: z.array(z.object({ type: z.string().min(1), options })),
  gates: z.array(gateConfigSchema).min(1),
  /** Name of the gate in `gates` used by default; the first one when omitted. */
  activeGate: z.string().optional(),
  costs: z
    .object({ stageMacs: z.array(z.number().nonnegative()), headMacs: z.array(z.number().nonnegative()) })
    .optional(),
  calibration: z.object({ temperatures: z.array(z.number().positive()) }).optional(),
});

/** A whole network described in JSON: backbone, exits, heads, gates with options and thresholds. */
export type NetworkConfig = z.infer<typeof networkConfigSchema>;
export type GateConfig = z.infer<typeof gateConfigSchema>;

function pathToField(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('') || '(root)';
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Validates a network config: its shape, then that heads match exits, gates are registered with
 * valid options, and thresholds are one per gated exit inside each gate's range.
 */
export function parseNetworkConfig(raw: unknown, registry: GateRegistry = defaultGateRegistry): NetworkConfig {
  const parsed = networkConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError({
      field: pathToField(issue.path),
      expected: issue.message,
      received: describeValue(valueAt(raw, issue.path)),
    });
  }
  const config = parsed.data;
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
  const context = { exits: config.exits, classes: config.classes };
  config.gates.forEach((gateConfig, g) => {
    const field = `gates[${g}]`;
    const plugin = registry.get(gateConfig.name, `${field}.name`);
    const gate = plugin.create(validateGateOptions(plugin, gateConfig.options, `${field}.options`), context);
    const thresholds = gateConfig.thresholds;
    if (!thresholds) return;
    if (thresholds.length !== config.exits - 1) {
      throw new CountMismatchError({
        field: `${field}.thresholds`,
        expected: `${config.exits - 1} thresholds (one per exit before the last)`,
        received: `${thresholds.length}`,
      });
    }
    thresholds.forEach((t, i) => {
      if (t < gate.range.min || t > gate.range.max) {
        throw new ThresholdRangeError({
          field: `${field}.thresholds[${i}]`,
          expected: `a number in [${gate.range.min}, ${gate.range.max}] for gate ${JSON.stringify(gate.name)}`,
          received: String(t),
        });
      }
    });
  });
  if (config.activeGate !== undefined && !config.gates.some((g) => g.name === config.activeGate)) {
    throw new ConfigError({
      field: 'activeGate',
      expected: `one of the configured gates (${config.gates.map((g) => g.name).join(', ')})`,
      received: JSON.stringify(config.activeGate),
    });
  }
  return config;
}

/** Parses JSON text, then validates it as a network config. */
export function parseNetworkConfigJson(text: string, registry?: GateRegistry): NetworkConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError({
      field: '(json)',
      expected: 'valid JSON',
      received: error instanceof Error ? error.message : String(error),
    });
  }
  return parseNetworkConfig(raw, registry);
}
