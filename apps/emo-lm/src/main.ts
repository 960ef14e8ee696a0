#!/usr/bin/env node
import { oneOf, positiveInt, runCli } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import type { EmoMode } from '@offramp/losses';
import { DEFAULT_EMO_LM_OPTIONS as defaults } from './options.js';
import { runEmoLm } from './pipeline.js';

/** The command line's options, as commander names them. */
interface EmoLmCliOptions {
  readonly pretrainWindows: number;
  readonly finetuneWindows: number;
  readonly finetuneEpochs: number;
  readonly mode: EmoMode;
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
      .option('--mode <mode>', 'how EMO is combined with cross-entropy', oneOf(['mle-emphasized', 'emo-emphasized'] as const), defaults.finetune.mode),
  common: {
    seed: { description: 'seed of the split, initialisation, shuffling and sampling', default: defaults.seed },
    cacheDir: 'where the tokenizer and trained weights are cached',
    outDir: true,
    progress: true,
    readme: true,
  },
  setup: useWasmBackend,
  run: (options, { log, readme }) =>
    runEmoLm(
      {
        ...defaults,
        pretrain: { ...defaults.pretrain, maxWindows: options.pretrainWindows },
        finetune: { ...defaults.finetune, windows: options.finetuneWindows, epochs: options.finetuneEpochs, mode: options.mode },
        seed: options.seed,
        cacheDir: options.cacheDir,
        outDir: options.outDir,
        progress: options.progress,
        log,
      },
      readme,
    ),
});
