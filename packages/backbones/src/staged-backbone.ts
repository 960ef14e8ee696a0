import { ArgumentError } from '@offramp/core';
import type * as tf from '@tensorflow/tfjs';
import { modelName } from './model-name.js';
import type { TfModule } from '@offramp/heads';

/** A backbone cut into stages: stage l feeds stage l + 1 and exit l. */
export interface StagedBackbone {
  readonly kind: 'mlp' | 'cnn';
  readonly stages: readonly TfModule[];
  /** Shape of one input sample. */
  readonly inputShape: readonly number[];
  /** MACs per sample of each stage. */
  readonly stageMacs: readonly number[];
  /** Every stage's variables, in stage order. */
  readonly variables: readonly tf.Variable[];
  dispose(): void;
}

export function assembleBackbone(
  kind: StagedBackbone['kind'],
  inputShape: readonly number[],
  stages: readonly TfModule[],
): StagedBackbone {
  const frozen = Object.freeze([...stages]);
  return {
    kind,
    stages: frozen,
    inputShape: Object.freeze([...inputShape]),
    stageMacs: Object.freeze(frozen.map((s) => s.macs)),
    variables: Object.freeze(frozen.flatMap((s) => [...s.variables])),
    dispose(): void {
      for (const stage of frozen) stage.dispose();
    },
  };
}

/** The backbone's name: the one given (if no live variable uses it) or a fresh `<kind>-backbone-N`. */
export function backboneName(name: string | undefined, kind: StagedBackbone['kind']): string {
  return modelName(name, `${kind}-backbone`);
}

/** A finite seed, default 0. */
export function backboneSeed(seed: number | undefined): number {
  const value = seed ?? 0;
  if (!Number.isFinite(value)) {
    throw new ArgumentError({ field: 'seed', expected: 'a finite number', received: String(value) });
  }
  return value;
}

/** Builds stages one by one; if one fails, the ones already built are disposed. */
export function buildStages(count: number, build: (index: number) => TfModule): TfModule[] {
  const stages: TfModule[] = [];
  try {
    for (let i = 0; i < count; i++) stages.push(build(i));
  } catch (error) {
    for (const stage of stages) stage.dispose();
    throw error;
  }
  return stages;
}
