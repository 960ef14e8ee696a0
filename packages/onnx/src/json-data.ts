import { describeValue, GateOptionsError } from '@offramp/core';

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
