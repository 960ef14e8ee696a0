import type { StandardSchemaV1 } from '@standard-schema/spec';

/** A schema issue's path: keys, or segments holding a key. */
export type IssuePath = ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment>;

const keyOf = (segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey =>
  typeof segment === 'object' ? segment.key : segment;

/** `prefix` followed by the path (`.key` or `[index]`); with no prefix the first key stands alone; '(root)' when empty. */
export function fieldAt(prefix: string, path: IssuePath): string {
  const tail = path
    .map(keyOf)
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 && prefix === '' ? String(key) : `.${String(key)}`))
    .join('');
  return prefix + tail || '(root)';
}

/** The value at `path` inside `raw`, or undefined where the path leaves the data. */
export function valueAt(raw: unknown, path: IssuePath): unknown {
  let current: unknown = raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[keyOf(segment)];
  }
  return current;
}
