import { PartRegistry, type PartPlugin } from '@offramp/core';
import { z } from 'zod';
import { createLinearHead } from './linear-head.js';
import { createMlpHead } from './mlp-head.js';
import type { TfModule } from './tf-module.js';

/** What a head plugin knows beyond its options: the features it reads, the classes, its seed and name. */
export interface HeadContext {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly seed: number;
  readonly name: string;
}

export type HeadPlugin<Options = unknown> = PartPlugin<Options, HeadContext, TfModule>;
export type HeadRegistry = PartRegistry<HeadContext, TfModule>;

const pool = z.enum(['avg', 'max', 'flatten', 'grid']).optional();

/** `linear`: pool -> dense(classes). Options: `{ pool? }`. */
export const linearHeadPlugin: HeadPlugin<{ pool?: 'avg' | 'max' | 'flatten' | 'grid' | undefined }> = {
  name: 'linear',
  description: 'pooling of convolutional features, then one dense layer to the classes',
  options: z.object({ pool }).strict(),
  create: (options, context) => createLinearHead({ ...context, ...(options.pool ? { pool: options.pool } : {}) }),
};

/** `mlp`: pool -> dense(hidden, relu) -> dense(classes). Options: `{ hidden, pool? }`. */
export const mlpHeadPlugin: HeadPlugin<{ hidden: number; pool?: 'avg' | 'max' | 'flatten' | 'grid' | undefined }> = {
  name: 'mlp',
  description: 'pooling, a hidden ReLU layer, then a dense layer to the classes',
  options: z.object({ hidden: z.number().int().positive(), pool }).strict(),
  create: (options, context) => createMlpHead({ ...context, hidden: options.hidden, ...(options.pool ? { pool: options.pool } : {}) }),
};

/** A registry holding the heads of this package (`linear`, `mlp`); register your own next to them. */
export function createHeadRegistry(): HeadRegistry {
  const registry = new PartRegistry<HeadContext, TfModule>('head');
  registry.register(linearHeadPlugin as HeadPlugin);
  registry.register(mlpHeadPlugin as HeadPlugin);
  return registry;
}
