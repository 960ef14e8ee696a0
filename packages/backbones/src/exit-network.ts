import { createLinearHead, type PoolKind, type TfModule } from '@offramp/heads';
import type { StagedBackbone } from './staged-backbone.js';

/** A staged backbone with an exit head after every stage; the last head is the backbone's own. */
export interface ExitNetwork {
  readonly backbone: StagedBackbone;
  readonly heads: readonly TfModule[];
  dispose(): void;
}

export interface LinearHeadsOptions {
  readonly classes: number;
  /** Pooling of convolutional features before each head (see @offramp/heads). */
  readonly pool?: PoolKind;
  /** Head l is initialised from seed + 100 + l. */
  readonly seed: number;
  /** Head l is named `${name}-head${l}` (tfjs variable names are global). */
  readonly name: string;
}

/** Puts a linear exit head after every stage of a backbone; on failure nothing is left allocated. */
export function attachLinearHeads(backbone: StagedBackbone, options: LinearHeadsOptions): ExitNetwork {
  const heads: TfModule[] = [];
  const disposeAll = () => {
    backbone.dispose();
    for (const head of heads) head.dispose();
  };
  try {
    backbone.stages.forEach((stage, l) => {
      heads.push(
        createLinearHead({
          inputShape: [...stage.outputShape],
          classes: options.classes,
          ...(options.pool ? { pool: options.pool } : {}),
          seed: options.seed + 100 + l,
          name: `${options.name}-head${l}`,
        }),
      );
    });
  } catch (error) {
    disposeAll();
    throw error;
  }
  return { backbone, heads, dispose: disposeAll };
}
