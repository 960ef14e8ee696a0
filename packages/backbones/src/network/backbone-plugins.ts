import { PartRegistry, type PartPlugin } from '@offramp/core';
import { z } from 'zod';
import { type CnnStageSpec, createCnnBackbone } from '../cnn-backbone.js';
import { createMlpBackbone } from '../mlp-backbone.js';
import type { StagedBackbone } from '../staged-backbone.js';

/** What a backbone plugin knows beyond its options: the input shape, its seed and its variable-name prefix. */
export interface BackboneContext {
  readonly inputShape: readonly number[];
  readonly seed: number;
  readonly name: string;
}

export type BackbonePlugin<Options = unknown> = PartPlugin<Options, BackboneContext, StagedBackbone>;
export type BackboneRegistry = PartRegistry<BackboneContext, StagedBackbone>;

/** `mlp`: one dense ReLU stage per entry of `hidden`. */
export const mlpBackbonePlugin: BackbonePlugin<{ hidden: number[] }> = {
  name: 'mlp',
  description: 'dense ReLU stages, one per entry of `hidden` (their widths)',
  options: z.object({ hidden: z.array(z.number().int().positive()).min(1) }).strict(),
  create: (options, context) => createMlpBackbone({ ...context, hidden: options.hidden }),
};

const cnnStage = z
  .object({
    filters: z.number().int().positive(),
    kernelSize: z.number().int().positive(),
    strides: z.number().int().positive().optional(),
    padding: z.enum(['same', 'valid']).optional(),
    pool: z.enum(['max']).nullable().optional(),
  })
  .strict();

/** `cnn`: conv -> ReLU -> optional 2x2 max pool stages, on NHWC images. */
export const cnnBackbonePlugin: BackbonePlugin<{ stages: CnnStageSpec[] }> = {
  name: 'cnn',
  description: 'conv2d + ReLU (+ 2x2 max pooling) stages on [height, width, channels] images',
  options: z.object({ stages: z.array(cnnStage).min(1) }).strict() as z.ZodType<{ stages: CnnStageSpec[] }>,
  create: (options, context) => {
    const [height, width, channels] = context.inputShape;
    return createCnnBackbone({ ...context, inputShape: [height!, width!, channels!], stages: options.stages });
  },
};

/** A registry holding the backbones of this package (`mlp`, `cnn`); register your own next to them. */
export function createBackboneRegistry(): BackboneRegistry {
  const registry = new PartRegistry<BackboneContext, StagedBackbone>('backbone');
  registry.register(mlpBackbonePlugin as BackbonePlugin);
  registry.register(cnnBackbonePlugin as BackbonePlugin);
  return registry;
}
