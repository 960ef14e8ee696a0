import type { StandardSchemaV1 } from '@standard-schema/spec';
import { boundedJson } from './describe-value.js';
import type { ErrorDetails } from './errors.js';

/**
 * The options schema of a plugin (a gate, a backbone, a head): any Standard Schema v1, the interface
 * zod (>= 3.24, and 4), valibot (>= 1) and arktype (>= 2) schemas implement (`schema['~standard']`).
 * It validates the JSON options and fills their defaults; it must validate synchronously.
 */
export type OptionsSchema<Options> = StandardSchemaV1<unknown, Options>;

/** What a plugin's `options` must be, in words (errors say it). */
export const OPTIONS_SCHEMA_EXPECTED =
  'a Standard Schema v1 (an object with a "~standard" property: zod >= 3.24, zod 4, valibot >= 1, arktype >= 2)';

/** Whether `value` implements Standard Schema v1: a `~standard` object of version 1 with a `validate` function. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  if (props === null || typeof props !== 'object') return false;
  const { version, validate } = props as { version?: unknown; validate?: unknown };
  return version === 1 && typeof validate === 'function';
}

/** What a value that is not a Standard Schema v1 is, in words (zod 3 before 3.24 is named as such). */
function describeNonSchema(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return `${typeof value} ${boundedJson(value)}`;
  const record = value as Record<string, unknown>;
  const props = record['~standard'];
  if (props !== undefined) {
    if (props === null || typeof props !== 'object') return `a "~standard" property that is ${boundedJson(props)}`;
    const { version, validate } = props as { version?: unknown; validate?: unknown };
    if (version !== 1) return `a "~standard" property of version ${boundedJson(version)}`;
    return `a "~standard" property whose validate is ${typeof validate}, not a function`;
  }
  if (typeof record.safeParse === 'function' && '_def' in record) {
    return 'a zod schema without "~standard" (zod older than 3.24)';
  }
  const keys = Object.keys(record).slice(0, 6);
  const kind = typeof value === 'function' ? 'a function' : 'an object';
  return `${kind} without "~standard"${keys.length > 0 ? ` (keys: ${keys.join(', ')})` : ''}`;
}

/** Who a plugin is, in error messages: `gate "patience"`. */
export function pluginLabel(kind: string, name: unknown): string {
  return `${kind} ${typeof name === 'string' ? JSON.stringify(name) : boundedJson(name)}`;
}

/**
 * Checks that a plugin's `options` (when it has any) is a Standard Schema v1; otherwise throws the
 * error `makeError` builds, naming `field`, the plugin and what its schema is instead.
 */
export function checkOptionsSchema(
  plugin: { readonly name: string; readonly options?: unknown },
  kind: string,
  field: string,
  makeError: (details: ErrorDetails) => Error,
): void {
  if (plugin === null || typeof plugin !== 'object') {
    throw makeError({ field: 'plugin', expected: `a ${kind} plugin object ({ name, options?, create })`, received: boundedJson(plugin) });
  }
  const schema = plugin.options;
  if (schema === undefined || isStandardSchema(schema)) return;
  throw makeError({
    field,
    expected: OPTIONS_SCHEMA_EXPECTED,
    received: `for ${pluginLabel(kind, plugin.name)}, ${describeNonSchema(schema)}`,
  });
}

/** Whether a validate result is a promise (or any thenable): an asynchronous schema. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
