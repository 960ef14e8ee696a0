import type { z } from 'zod';
import type { ErrorDetails } from './errors.js';
import { fieldAt, valueAt } from './field-path.js';
import { describeValue } from './gate.js';

/**
 * An error's field, expected and received from a zod issue on `raw`; the field is the issue's path
 * under `prefix`. Unknown keys (a misspelt `threshold` for `thresholds`) are named as the field.
 */
export function issueDetails(issue: z.core.$ZodIssue, raw: unknown, prefix = ''): ErrorDetails {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = [...issue.path, key];
    return {
      field: fieldAt(prefix, path),
      expected: 'no such key (unknown keys are not ignored)',
      received: describeValue(valueAt(raw, path)),
    };
  }
  return { field: fieldAt(prefix, issue.path), expected: issue.message, received: describeValue(valueAt(raw, issue.path)) };
}
