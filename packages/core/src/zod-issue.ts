import type { z } from 'zod';
import type { ErrorDetails } from './errors.js';
import { describeValue } from './gate.js';

function pathToField(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  const tail = path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 && prefix === '' ? String(key) : `.${String(key)}`))
    .join('');
  return prefix + tail || '(root)';
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
 * An error's field, expected and received from a zod issue on `raw`; the field is the issue's path
 * under `prefix`. Unknown keys (a misspelt `threshold` for `thresholds`) are named as the field.
 */
export function issueDetails(issue: z.core.$ZodIssue, raw: unknown, prefix = ''): ErrorDetails {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = [...issue.path, key];
    return {
      field: pathToField(prefix, path),
      expected: 'no such key (unknown keys are not ignored)',
      received: describeValue(valueAt(raw, path)),
    };
  }
  return { field: pathToField(prefix, issue.path), expected: issue.message, received: describeValue(valueAt(raw, issue.path)) };
}
