import { ArgumentError, checkSampleShape, checkWholeNumber } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import type { PoolKind } from './pooling.js';

/** What every head is built from. */
export interface HeadOptions {
  /** Shape of one input sample, e.g. [7, 7, 16] for a feature map or [128] for a vector. */
  readonly inputShape: readonly number[];
  /** Number of classes (>= 2): the head returns logits [batch, classes]. */
  readonly classes: number;
  /** Pooling of rank >= 2 features; default 'avg'. Rank-1 features are not pooled. */
  readonly pool?: PoolKind;
  /** Seed of the glorot-uniform initialisers; default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default a fresh `<kind>-head-N`. Must not be in use. */
  readonly name?: string;
}

export interface CheckedHeadOptions {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly seed: number;
  readonly name: string;
}

let counter = 0;

function nameInUse(prefix: string): boolean {
  return Object.keys(tf.engine().registeredVariables).some((key) => key.startsWith(`${prefix}/`));
}

/** A name no live variable uses yet, `<base>-1`, `<base>-2`, ... */
function freshName(base: string): string {
  let candidate: string;
  do {
    counter += 1;
    candidate = `${base}-${counter}`;
  } while (nameInUse(candidate));
  return candidate;
}

export function checkHeadOptions(options: HeadOptions, kind: string): CheckedHeadOptions {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError({ field: 'options', expected: 'an options object', received: String(options) });
  }
  checkSampleShape(options.inputShape, 'inputShape');
  checkWholeNumber(options.classes, 2, 'classes');
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new ArgumentError({ field: 'seed', expected: 'a finite number', received: String(seed) });
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
    throw new ArgumentError({ field: 'name', expected: 'a non-empty string', received: String(options.name) });
  }
  if (options.name !== undefined && nameInUse(options.name)) {
    throw new ArgumentError({
      field: 'name',
      expected: 'a name no live tfjs variable is prefixed with (dispose the old module or pick another)',
      received: JSON.stringify(options.name),
    });
  }
  return {
    inputShape: Object.freeze([...options.inputShape]),
    classes: options.classes,
    seed,
    name: options.name ?? freshName(`${kind}-head`),
  };
}
