#!/usr/bin/env node
import { positiveInt, runCli } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { DEFAULT_DIGITS_OPTIONS, runDigits } from './pipeline.js';

/** The command line's options, as commander names them. */
interface DigitsCliOptions {
  readonly epochs: number;
  readonly headEpochs: number;
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
}

await runCli<DigitsCliOptions>({
  moduleUrl: import.meta.url,
  name: 'digits',
  description: 'Early exit on MNIST digits: a CNN with an exit after every stage, every gate compared on accuracy vs cost.',
  options: (command) =>
    command
      .option('--epochs <n>', 'backbone training epochs', positiveInt, DEFAULT_DIGITS_OPTIONS.epochs)
      .option('--head-epochs <n>', 'early-head training epochs', positiveInt, DEFAULT_DIGITS_OPTIONS.headEpochs),
  common: {
    seed: { description: 'seed of the split, initialisation and shuffling', default: DEFAULT_DIGITS_OPTIONS.seed },
    cacheDir: 'where the trained backbone is cached',
    outDir: true,
    progress: true,
  },
  setup: useWasmBackend,
  run: (options, { log }) => runDigits({ ...DEFAULT_DIGITS_OPTIONS, ...options, log }),
});
