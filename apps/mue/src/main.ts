#!/usr/bin/env node
import { numberAtLeast, oneOf, positiveInt, runCli, updateMarkedSection } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { ENCODER_RECIPES, type EncoderRecipe } from './encoder-depths.js';
import { DEFAULT_MUE_OPTIONS as defaults } from './options.js';
import { runMue } from './pipeline.js';

/** The command line's options, as commander names them. */
interface MueCliOptions {
  readonly epochs: number;
  readonly encoderRecipe: EncoderRecipe;
  readonly distillation: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly timed: number;
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly readme: boolean;
}

await runCli<MueCliOptions>({
  moduleUrl: import.meta.url,
  name: 'mue',
  description: 'MuE on MNIST: similarity-based exits in a two-stream encoder-decoder, on visual entailment and captioning.',
  options: (command) =>
    command
      .option('--epochs <n>', 'training epochs', positiveInt, defaults.epochs)
      .option('--encoder-recipe <recipe>', `training recipe of the encoder (${ENCODER_RECIPES.join(' | ')})`, oneOf(ENCODER_RECIPES), defaults.encoderRecipe as EncoderRecipe)
      .option('--distillation <weight>', 'weight of the self-distillation term in shallow-depth batches (0 = none)', numberAtLeast(0), defaults.distillation)
      .option('--encoder-layers <n>', 'encoder layers (shared by both streams)', positiveInt, defaults.encoderLayers)
      .option('--decoder-layers <n>', 'decoder layers', positiveInt, defaults.decoderLayers)
      .option('--timed <n>', 'test samples timed one at a time with real early exit', positiveInt, defaults.timed),
  common: {
    seed: { description: 'seed of the split, claims, initialisation and shuffling', default: defaults.seed },
    cacheDir: 'where the trained model is cached',
    outDir: true,
    progress: true,
    readme: true,
  },
  setup: useWasmBackend,
  run: async (options, { log, readme }) => {
    const { readme: _readme, ...settings } = options;
    const run = await runMue({ ...defaults, ...settings, log });
    log(run.table);
    if (readme) await updateMarkedSection(readme, 'mue-table', run.table);
  },
});
