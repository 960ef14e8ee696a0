#!/usr/bin/env node
import { listOf, numberAtLeast, numberIn, oneOf, positiveInt, runCli } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import type { EmoMode } from '@offramp/losses';
import { DEFAULT_EMO_LM_OPTIONS as defaults, type EmoLmOptions } from './options.js';
import { runEmoLm } from './pipeline.js';
import { trainAndShip } from './train-and-ship.js';

/** The command line's options, as commander names them. */
interface EmoLmCliOptions {
  readonly pretrainWindows: number;
  readonly finetuneWindows: number;
  readonly finetuneEpochs: number;
  readonly mode: EmoMode;
  readonly layers: number;
  readonly dModel: number;
  readonly heads: number;
  readonly layerDropout: number;
  readonly exitWeights: 'uniform' | 'layerskip';
  readonly exitScale: number;
  readonly exitDistillation: number;
  readonly pretrainLr: number;
  readonly evalWindows: number;
  readonly samples: number;
  readonly draftLayers: number[];
  readonly draftTokens: number[];
  readonly shipDir?: string;
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly readme: boolean;
  readonly progress: boolean;
}

await runCli<EmoLmCliOptions>({
  moduleUrl: import.meta.url,
  name: 'emo-lm',
  description: 'EMO vs MLE fine-tuning of a small transformer LM on the State of the Union addresses, with early exits.',
  options: (command) =>
    command
      .option('--pretrain-windows <n>', 'training windows of the MLE base model', positiveInt, defaults.pretrain.maxWindows)
      .option('--finetune-windows <n>', 'windows in the fine-tuning subset', positiveInt, defaults.finetune.windows)
      .option('--finetune-epochs <n>', 'fine-tuning epochs', positiveInt, defaults.finetune.epochs)
      .option('--mode <mode>', 'how EMO is combined with cross-entropy', oneOf(['mle-emphasized', 'emo-emphasized'] as const), defaults.finetune.mode)
      .option('--layers <n>', 'transformer layers (one exit after each)', positiveInt, defaults.model.layers)
      .option('--d-model <n>', 'model width', positiveInt, defaults.model.dModel)
      .option('--heads <n>', 'attention heads (a divisor of the width)', positiveInt, defaults.model.heads)
      .option('--layer-dropout <p>', 'LayerSkip layer dropout: the rate of the last layer (0 = none)', numberIn(0, 1), defaults.layerSkip.layerDropout)
      .option('--exit-weights <kind>', 'weights of the exits\' losses', oneOf(['uniform', 'layerskip'] as const), defaults.layerSkip.exitWeights)
      .option('--exit-scale <s>', 'e_scale of the layerskip exit weights', numberAtLeast(0), defaults.layerSkip.exitScale)
      .option('--exit-distillation <w>', 'fine-tuning: weight of every exit learning the last exit\'s distribution (KL; 0 = off)', numberAtLeast(0), 0)
      .option('--pretrain-lr <rate>', 'Adam learning rate of the pre-training', numberIn(0, 1, { open: true }), defaults.pretrain.learningRate)
      .option('--ship-dir <dir>', 'train (or load from the cache), write the fine-tuned models to <dir> for the decoding report, and stop')
      .option('--eval-windows <n>', 'held-out windows for perplexity', positiveInt, defaults.evalWindows)
      .option('--samples <n>', 'sampled continuations per model', positiveInt, defaults.samples.count)
      .option('--draft-layers <list>', 'd values of self-speculative decoding', listOf(positiveInt), [...new Set(defaults.speculative.points.map((p) => p[0]))])
      .option('--draft-tokens <list>', 'k values of self-speculative decoding', listOf(positiveInt), [...new Set(defaults.speculative.points.map((p) => p[1]))]),
  common: {
    seed: { description: 'seed of the split, initialisation, shuffling and sampling', default: defaults.seed },
    cacheDir: 'where the tokenizer and trained weights are cached',
    outDir: true,
    progress: true,
    readme: true,
  },
  setup: useWasmBackend,
  run: (options, { log, readme }) => {
    const settings: EmoLmOptions = {
        ...defaults,
        model: { ...defaults.model, layers: options.layers, dModel: options.dModel, heads: options.heads },
        evalWindows: options.evalWindows,
        samples: { ...defaults.samples, count: options.samples },
        speculative: { ...defaults.speculative, points: options.draftLayers.flatMap((d) => options.draftTokens.map((k) => [d, k] as const)) },
        pretrain: { ...defaults.pretrain, maxWindows: options.pretrainWindows, learningRate: options.pretrainLr },
        layerSkip: {
          layerDropout: options.layerDropout,
          exitWeights: options.exitWeights,
          exitScale: options.exitScale,
          ...(options.exitDistillation > 0 ? { exitDistillation: options.exitDistillation } : {}),
        },
        finetune: { ...defaults.finetune, windows: options.finetuneWindows, epochs: options.finetuneEpochs, mode: options.mode },
        seed: options.seed,
        cacheDir: options.cacheDir,
        outDir: options.outDir,
        progress: options.progress,
        log,
    };
    return options.shipDir ? trainAndShip(settings, options.shipDir) : runEmoLm(settings, readme);
  },
});
