import type { EncoderRecipe } from './encoder-depths.js';

/** Settings of one MuE run: data sizes, model shape, training and evaluation. */
export interface MueOptions {
  /** Digits used for training, threshold search (validation) and the reported numbers (test). */
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  /** Test samples decoded one at a time with real early exit for the timings. */
  readonly timed: number;
  readonly dModel: number;
  readonly heads: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly epochs: number;
  /** How the encoder feeds the decoder in training (see encoder-depths.ts). */
  readonly encoderRecipe: EncoderRecipe;
  /**
   * Weight of the self-distillation term in batches with a shallow encoder draw (see depth-distillation.ts): the
   * decoder's outputs on the shallow memory are pulled towards the full model's; 0 = none.
   */
  readonly distillation: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Hand-set thresholds (image, text, decoder), as the paper sets them. */
  readonly hand: { readonly entailment: Thresholds; readonly caption: Thresholds };
  /** Share of the full model's score the searched thresholds must keep, per task. */
  readonly keep: { readonly entailment: number; readonly caption: number };
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

export interface Thresholds {
  readonly image: number;
  readonly text: number;
  readonly decoder: number;
}

export const DEFAULT_MUE_OPTIONS = {
  train: 5000,
  validation: 2000,
  test: 2000,
  timed: 300,
  dModel: 32,
  heads: 2,
  encoderLayers: 4,
  decoderLayers: 4,
  epochs: 12,
  encoderRecipe: 'mixed-depth',
  distillation: 0,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 7,
  hand: {
    entailment: { image: 0.7, text: 0.99, decoder: 0.7 },
    caption: { image: 0.7, text: 0.99, decoder: 0.7 },
  },
  keep: { entailment: 0.99, caption: 0.96 },
} as const;
