import {
  attachLinearHeads,
  createCnnBackbone,
  createMlpBackbone,
  SMALL_DIGITS_CNN,
  type StagedBackbone,
} from '@offramp/backbones';
import type { TfModule } from '@offramp/heads';

/** A staged network with one exit head per stage, as the bench trains, exports and times it. */
export interface BenchNetwork {
  readonly name: string;
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly backbone: StagedBackbone;
  readonly heads: readonly TfModule[];
  /** What the network's weights depend on (for the cache key). */
  readonly architecture: unknown;
  dispose(): void;
}

/** The digits network of apps/digits: conv 3x3 with 8, 16, 32 filters, each + ReLU + 2x2 max pool; linear heads. */
export const DIGITS_CNN = SMALL_DIGITS_CNN;

/**
 * The deeper network: an MLP over the 784 pixels, narrow first (a cheap first exit) then wide, an
 * exit after every layer; most of its compute lies after the first exits.
 */
export interface DeepMlpArchitecture {
  readonly hidden: readonly number[];
}

export const DEEP_MLP: DeepMlpArchitecture = { hidden: [128, 768, 768, 768, 768] };

function withHeads(
  name: string,
  description: string,
  backbone: StagedBackbone,
  classes: number,
  pool: 'flatten' | undefined,
  seed: number,
  architecture: unknown,
): BenchNetwork {
  const network = attachLinearHeads(backbone, { classes, ...(pool ? { pool } : {}), seed, name });
  return {
    name,
    description,
    inputShape: backbone.inputShape,
    classes,
    backbone,
    heads: network.heads,
    architecture,
    dispose: network.dispose,
  };
}

export function createDigitsCnn(seed: number): BenchNetwork {
  const backbone = createCnnBackbone({
    inputShape: DIGITS_CNN.inputShape,
    stages: DIGITS_CNN.stages,
    seed,
    name: 'bench-digits-cnn',
  });
  return withHeads(
    'digits-cnn',
    'apps/digits CNN: 3 conv stages (8, 16, 32 filters), linear heads on flattened maps',
    backbone,
    DIGITS_CNN.classes,
    DIGITS_CNN.headPool,
    seed,
    DIGITS_CNN,
  );
}

export function createDeepMlp(seed: number, architecture: DeepMlpArchitecture = DEEP_MLP): BenchNetwork {
  const backbone = createMlpBackbone({
    inputShape: [28, 28, 1],
    hidden: architecture.hidden,
    seed,
    name: 'bench-deep-mlp',
  });
  const widths = architecture.hidden;
  return withHeads(
    'deep-mlp',
    `MLP 784-${widths.join('-')}, an exit after every layer`,
    backbone,
    10,
    undefined,
    seed,
    architecture,
  );
}
