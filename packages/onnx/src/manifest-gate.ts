import {
  ArgumentError,
  computeExitCosts,
  defaultGateRegistry,
  describeValue,
  type ExitPolicy,
  type Gate,
  GateOptionsError,
  type GateRegistry,
  shapeSize,
} from '@offramp/core';
import type { OnnxManifest } from './bundle.js';

/** Plain JSON data: what a gate's options (e.g. a learned gate's weights) are stored as. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The gate an exported network runs with: a plugin name and its options, as written in the
 * manifest. For learned gates (e.g. `jei`, `hidden-state` of @offramp/gates) the options hold the
 * trained weights as plain numbers.
 */
export interface ManifestGate {
  readonly name: string;
  readonly options?: JsonValue;
}

/** Checks that `value` is plain JSON data with finite numbers; throws GateOptionsError naming the path. */
export function checkJsonData(value: unknown, field: string): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GateOptionsError({ field, expected: 'a finite number', received: describeValue(value) });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkJsonData(v, `${field}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, v] of Object.entries(value)) checkJsonData(v, `${field}.${key}`);
    return;
  }
  throw new GateOptionsError({
    field,
    expected: 'plain JSON data (numbers, strings, booleans, null, arrays, objects; no typed arrays)',
    received: value === undefined ? 'undefined' : (value.constructor?.name ?? typeof value),
  });
}

/** Validates the gate entry of a manifest (its shape only; the plugin validates its options on creation). */
export function checkManifestGate(raw: unknown, field = 'manifest.gate'): ManifestGate {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GateOptionsError({ field, expected: '{ name, options? }', received: describeValue(raw) });
  }
  const { name, options, ...rest } = raw as { name?: unknown; options?: unknown };
  if (typeof name !== 'string' || name.length === 0) {
    throw new GateOptionsError({ field: `${field}.name`, expected: 'a gate plugin name', received: describeValue(name) });
  }
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw new GateOptionsError({ field: `${field}.${extra[0]}`, expected: 'only name and options', received: describeValue(extra[0]) });
  }
  if (options !== undefined) checkJsonData(options, `${field}.options`);
  return raw as ManifestGate;
}

/**
 * The manifest's gate, rebuilt through `registry` (the default registry of @offramp/core when
 * omitted): the plugin named there, with the stored options validated by its schema, for a network
 * with the manifest's exits, classes and per-stage feature sizes. Throws UnknownGateError for a
 * name the registry lacks and GateOptionsError (or the plugin's own typed error) for bad options.
 */
export function gateFromManifest(manifest: OnnxManifest, registry: GateRegistry = defaultGateRegistry): Gate {
  if (manifest.gate === undefined) {
    throw new ArgumentError({ field: 'manifest.gate', expected: 'a gate stored in the manifest', received: 'none' });
  }
  const spec = checkManifestGate(manifest.gate);
  const context = {
    exits: manifest.exits,
    classes: manifest.classes,
    hiddenSizes: manifest.stages.map((s) => shapeSize(s.feature.shape)),
  };
  return registry.create({ name: spec.name, options: spec.options }, context, 'manifest.gate');
}

/**
 * The exit policy an exported network is served with: the manifest's gate (see gateFromManifest),
 * its thresholds (the gate's default threshold when the manifest has none), and the cost table from
 * the manifest's MACs with the gate's.
 */
export function exitPolicyFromManifest(manifest: OnnxManifest, registry?: GateRegistry): ExitPolicy {
  const gate = gateFromManifest(manifest, registry);
  const costs = computeExitCosts({
    stageMacs: manifest.macs.stages,
    headMacs: manifest.macs.heads,
    gateMacs: Array.from({ length: manifest.exits }, (_, l) => gate.macs(l)),
  });
  return { gate, thresholds: manifest.thresholds ? [...manifest.thresholds.values] : gate.defaultThreshold, costs };
}
