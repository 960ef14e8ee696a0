import { createCnnBackbone, type StagedBackbone } from '@offramp/backbones';
import { createLinearHead } from '@offramp/heads';
import type { Module } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';

export type TfModule = Module<tf.Tensor, tf.Variable>;

/** The digits network: three conv stages, each followed by an exit; the last exit is the backbone's own head. */
export const DIGITS_ARCHITECTURE = {
  inputShape: [28, 28, 1] as [number, number, number],
  classes: 10,
  stages: [
    { filters: 8, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
    { filters: 16, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
    { filters: 32, kernelSize: 3, padding: 'same' as const, pool: 'max' as const },
  ],
  headPool: 'flatten' as const,
};

export interface DigitsNetwork {
  readonly backbone: StagedBackbone;
  /** One head per exit; heads[last] is trained with the backbone. */
  readonly heads: readonly TfModule[];
  dispose(): void;
}

export function createDigitsNetwork(seed: number): DigitsNetwork {
  const backbone = createCnnBackbone({
    inputShape: DIGITS_ARCHITECTURE.inputShape,
    stages: DIGITS_ARCHITECTURE.stages,
    seed,
    name: 'digits-cnn',
  });
  const heads = backbone.stages.map((stage, l) =>
    createLinearHead({
      inputShape: [...stage.outputShape],
      classes: DIGITS_ARCHITECTURE.classes,
      pool: DIGITS_ARCHITECTURE.headPool,
      seed: seed + 100 + l,
      name: `digits-head${l}`,
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
