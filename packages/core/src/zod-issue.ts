import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { ErrorDetails } from './errors.js';
import { fieldAt, valueAt } from './field-path.js';
import { describeValue } from './gate.js';

/** The keys an object schema knows at `path` (through optional, default, nullable, array and pipe), or none. */
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  let rest = [...path];
  for (let guard = 0; guard < 64; guard++) {
    const inner = (def.innerType ?? def.in) as z.core.$ZodType | undefined;
    if (inner) {
      def = inner._zod.def as typeof def;
      continue;
    }
    if (rest.length === 0) break;
    const [head, ...tail] = rest;
    const next =
      def.type === 'object' && typeof head === 'string'
        ? (def.shape as Record<string, z.core.$ZodType>)[head]
        : def.type === 'array' && typeof head === 'number'
          ? (def.element as z.core.$ZodType)
          : undefined;
    if (!next) return [];
    def = next._zod.def as typeof def;
    rest = tail;
  }
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** The known key nearest to `key` when it is close enough to be a misspelling (edit distance <= 1 + length / 4). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key, [...known]);
  return distance(key, best) <= 1 + Math.floor(key.length / 4) ? best : undefined;
}

/**
 * The issue to report of several: an unknown key first (a misspelt key also makes the right key "missing", and
 * the misspelling is what the user must fix), else the first.
 */
export function mainIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0]!;
}

/**
 * An error's field, expected and received from a zod issue on `raw`; the field is the issue's path
 * under `prefix`. Unknown keys (a misspelt `threshold` for `thresholds`) are named as the field, with
 * the nearest key `schema` knows there suggested.
 */
export function issueDetails(issue: z.core.$ZodIssue, raw: unknown, prefix = '', schema?: z.core.$ZodType): ErrorDetails {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = [...issue.path, key];
    const known = schema ? knownKeysAt(schema, issue.path) : [];
    const near = nearestKey(key, known);
    const expected = near
      ? `no such key (did you mean ${JSON.stringify(near)}?)`
      : `no such key (unknown keys are not ignored${known.length > 0 ? `; known: ${known.join(', ')}` : ''})`;
    return { field: fieldAt(prefix, path), expected, received: describeValue(valueAt(raw, path)) };
  }
  return { field: fieldAt(prefix, issue.path), expected: issue.message, received: describeValue(valueAt(raw, issue.path)) };
}
