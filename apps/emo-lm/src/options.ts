import type { EmoMode } from '@offramp/losses';
import { type LayerSkipOptions, NO_LAYER_SKIP } from './layer-skip.js';

export interface EmoLmOptions {
  readonly corpus: {
    readonly fromYear: number;
    readonly validationAddresses: number;
    readonly testAddresses: number;
    readonly vocabSize: number;
    readonly maxChars?: number;
  };
  readonly model: { readonly context: number; readonly dModel: number; readonly layers: number; readonly heads: number };
  /** MLE training of the base model on (at most `maxWindows`) training windows. */
  readonly pretrain: { readonly epochs: number; readonly batchSize: number; readonly learningRate: number; readonly maxWindows: number };
  /** Both fine-tuned copies see the same `windows` training windows for `epochs` epochs. */
  readonly finetune: {
    readonly windows: number;
    readonly epochs: number;
    readonly batchSize: number;
    readonly learningRate: number;
    readonly mode: EmoMode;
  };
  /** LayerSkip layer dropout and exit-loss weights, in pre-training and fine-tuning alike. */
  readonly layerSkip: LayerSkipOptions;
  /** Held-out windows for perplexity. */
  readonly evalWindows: number;
  /** Sampled continuations of held-out prompts. */
  readonly samples: { readonly count: number; readonly promptLength: number; readonly steps: number; readonly topK: number };
  readonly earlyExit: {
    readonly thresholds: readonly number[];
    /** Matched perplexity: at most (1 + tolerance) times the full model's. */
    readonly tolerance: number;
    readonly sweepWindows: number;
    readonly speedWindows: number;
  };
  /** Greedy decoding of held-out prompts: full model, early exit and self-speculative decoding at each (d, k). */
  readonly speculative: { readonly prompts: number; readonly points: readonly (readonly [number, number])[]; readonly batchSize: number };
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

export const DEFAULT_EMO_LM_OPTIONS: Omit<EmoLmOptions, 'cacheDir' | 'outDir' | 'log'> = {
  corpus: { fromYear: 1900, validationAddresses: 6, testAddresses: 10, vocabSize: 512 },
  model: { context: 64, dModel: 96, layers: 4, heads: 4 },
  pretrain: { epochs: 1, batchSize: 32, learningRate: 2e-3, maxWindows: 8000 },
  finetune: { windows: 128, epochs: 8, batchSize: 16, learningRate: 3e-4, mode: 'mle-emphasized' },
  layerSkip: NO_LAYER_SKIP,
  evalWindows: 512,
  samples: { count: 96, promptLength: 32, steps: 32, topK: 20 },
  earlyExit: { thresholds: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5], tolerance: 0.02, sweepWindows: 12, speedWindows: 24 },
  speculative: { prompts: 24, points: [[1, 2], [1, 4], [2, 2], [2, 4], [3, 2], [3, 4]], batchSize: 8 },
  seed: 7,
  progress: true,
};
