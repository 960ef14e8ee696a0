#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, numberAtLeast, oneOf, positiveInt, updateMarkedSection } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import { ENCODER_RECIPES, type EncoderRecipe } from './encoder-depths.js';
import { DEFAULT_MUE_OPTIONS } from './options.js';
import { runMue } from './pipeline.js';

const appDir = appDirectory(import.meta.url);

const program = new Command()
  .name('mue')
  .description('MuE on MNIST: similarity-based exits in a two-stream encoder-decoder, on visual entailment and captioning.')
  .option('--epochs <n>', 'training epochs', positiveInt, DEFAULT_MUE_OPTIONS.epochs)
  .option('--encoder-recipe <recipe>', `training recipe of the encoder (${ENCODER_RECIPES.join(' | ')})`, oneOf(ENCODER_RECIPES), DEFAULT_MUE_OPTIONS.encoderRecipe as EncoderRecipe)
  .option('--distillation <weight>', 'weight of the self-distillation term in shallow-depth batches (0 = none)', numberAtLeast(0), DEFAULT_MUE_OPTIONS.distillation)
  .option('--encoder-layers <n>', 'encoder layers (shared by both streams)', positiveInt, DEFAULT_MUE_OPTIONS.encoderLayers)
  .option('--decoder-layers <n>', 'decoder layers', positiveInt, DEFAULT_MUE_OPTIONS.decoderLayers)
  .option('--timed <n>', 'test samples timed one at a time with real early exit', positiveInt, DEFAULT_MUE_OPTIONS.timed)
  .option('--seed <n>', 'seed of the split, claims, initialisation and shuffling', positiveInt, DEFAULT_MUE_OPTIONS.seed)
  .option('--cache-dir <dir>', 'where the trained model is cached', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-progress', 'hide the progress bar')
  .option('--no-readme', "do not write the table into the app's README");

const opts = program.parse().opts<{ epochs: number; encoderRecipe: EncoderRecipe; distillation: number; encoderLayers: number; decoderLayers: number; timed: number; seed: number; cacheDir: string; outDir: string; progress: boolean; readme: boolean }>();

await useWasmBackend();
const started = Date.now();
const run = await runMue({
  ...DEFAULT_MUE_OPTIONS,
  epochs: opts.epochs,
  encoderRecipe: opts.encoderRecipe,
  distillation: opts.distillation,
  encoderLayers: opts.encoderLayers,
  decoderLayers: opts.decoderLayers,
  timed: opts.timed,
  seed: opts.seed,
  cacheDir: opts.cacheDir,
  outDir: opts.outDir,
  progress: opts.progress,
  log: (line) => console.log(line),
});
console.log(run.table);
if (opts.readme) await updateMarkedSection(join(appDir, 'README.md'), 'mue-table', run.table);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
