import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

const counters = new Map<string, number>();

function nameInUse(prefix: string): boolean {
  return Object.keys(tf.engine().registeredVariables).some((key) => key.startsWith(`${prefix}/`));
}

/**
 * A model's variable-name prefix (tfjs variable names are global): the one given, if no live variable
 * uses it, or a fresh `<fallback>-N`.
 */
export function modelName(name: string | undefined, fallback: string): string {
  if (name === undefined) {
    let candidate: string;
    do {
      const next = (counters.get(fallback) ?? 0) + 1;
      counters.set(fallback, next);
      candidate = `${fallback}-${next}`;
    } while (nameInUse(candidate));
    return candidate;
  }
  if (typeof name !== 'string' || name.length === 0 || nameInUse(name)) {
    throw new ArgumentError({
      field: 'name',
      expected: 'a non-empty name no live tfjs variable is prefixed with',
      received: JSON.stringify(name),
    });
  }
  return name;
}
