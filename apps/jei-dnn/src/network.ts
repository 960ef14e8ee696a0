import { createCnnBackbone, type StagedBackbone } from '@offramp/backbones';
import type { Module } from '@offramp/core';
import { createLinearHead } from '@offramp/heads';
import type * as tf from '@tensorflow/tfjs';

export type TfModule = Module<tf.Tensor, tf.Variable>;

/** Three conv stages (3x3, 8 / 16 / 32 filters, ReLU, 2x2 max pooling), a linear head after each. */
export const ARCHITECTURE = {
  inputShape: [28, 28, 1] as [number, number, number],
  classes: 10,
  stages: [
    { filters: 8, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
    { filters: 16, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
    { filters: 32, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
  ],
  headPool: 'flatten' as const,
};

export interface Network {
  readonly backbone: StagedBackbone;
  /** One linear head per exit; the last one is the backbone's own head, trained with it and then frozen. */
  readonly heads: readonly TfModule[];
  dispose(): void;
}

/** The network for one data set; `name` keeps tfjs variable names apart between data sets. */
export function createNetwork(name: string, seed: number): Network {
  const backbone = createCnnBackbone({ inputShape: ARCHITECTURE.inputShape, stages: ARCHITECTURE.stages, seed, name: `${name}-cnn` });
  const heads = backbone.stages.map((stage, l) =>
    createLinearHead({
      inputShape: [...stage.outputShape],
      classes: ARCHITECTURE.classes,
      pool: ARCHITECTURE.headPool,
      seed: seed + 100 + l,
      name: `${name}-head${l}`,
    }),
  );
  return {
    backbone,
    heads,
    dispose() {
      backbone.dispose();
      for (const head of heads) head.dispose();
    },
  };
}
