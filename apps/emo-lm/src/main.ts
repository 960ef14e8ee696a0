#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, oneOf, positiveInt } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import { DEFAULT_EMO_LM_OPTIONS } from './options.js';
import { runEmoLm } from './pipeline.js';

const appDir = appDirectory(import.meta.url);

const d = DEFAULT_EMO_LM_OPTIONS;
const program = new Command()
  .name('emo-lm')
  .description('EMO vs MLE fine-tuning of a small transformer LM on the State of the Union addresses, with early exits.')
  .option('--pretrain-windows <n>', 'training windows of the MLE base model', positiveInt, d.pretrain.maxWindows)
  .option('--finetune-windows <n>', 'windows in the fine-tuning subset', positiveInt, d.finetune.windows)
  .option('--finetune-epochs <n>', 'fine-tuning epochs', positiveInt, d.finetune.epochs)
  .option('--mode <mode>', 'how EMO is combined with cross-entropy', oneOf(['mle-emphasized', 'emo-emphasized'] as const), d.finetune.mode)
  .option('--seed <n>', 'seed of the split, initialisation, shuffling and sampling', positiveInt, d.seed)
  .option('--cache-dir <dir>', 'where the tokenizer and trained weights are cached', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-readme', 'do not write the tables into README.md')
  .option('--no-progress', 'hide progress bars');

const opts = program.parse().opts<{
  pretrainWindows: number;
  finetuneWindows: number;
  finetuneEpochs: number;
  mode: 'mle-emphasized' | 'emo-emphasized';
  seed: number;
  cacheDir: string;
  outDir: string;
  readme: boolean;
  progress: boolean;
}>();

await useWasmBackend();
const started = Date.now();
await runEmoLm(
  {
    ...d,
    pretrain: { ...d.pretrain, maxWindows: opts.pretrainWindows },
    finetune: { ...d.finetune, windows: opts.finetuneWindows, epochs: opts.finetuneEpochs, mode: opts.mode },
    seed: opts.seed,
    cacheDir: opts.cacheDir,
    outDir: opts.outDir,
    progress: opts.progress,
    log: (line) => console.log(line),
  },
  opts.readme ? join(appDir, 'README.md') : undefined,
);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
