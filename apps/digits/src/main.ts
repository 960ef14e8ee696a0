#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, positiveInt } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import { DEFAULT_DIGITS_OPTIONS, runDigits } from './pipeline.js';

const appDir = appDirectory(import.meta.url);

const program = new Command()
  .name('digits')
  .description('Early exit on MNIST digits: a CNN with an exit after every stage, every gate compared on accuracy vs cost.')
  .option('--epochs <n>', 'backbone training epochs', positiveInt, DEFAULT_DIGITS_OPTIONS.epochs)
  .option('--head-epochs <n>', 'early-head training epochs', positiveInt, DEFAULT_DIGITS_OPTIONS.headEpochs)
  .option('--seed <n>', 'seed of the split, initialisation and shuffling', positiveInt, DEFAULT_DIGITS_OPTIONS.seed)
  .option('--cache-dir <dir>', 'where the trained backbone is cached', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-progress', 'hide progress bars');

const opts = program.parse().opts<{
  epochs: number;
  headEpochs: number;
  seed: number;
  cacheDir: string;
  outDir: string;
  progress: boolean;
}>();

await useWasmBackend();
const started = Date.now();
await runDigits({
  ...DEFAULT_DIGITS_OPTIONS,
  epochs: opts.epochs,
  headEpochs: opts.headEpochs,
  seed: opts.seed,
  cacheDir: opts.cacheDir,
  outDir: opts.outDir,
  progress: opts.progress,
  log: (line) => console.log(line),
});
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
