#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, listOf, positiveInt } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import { DEFAULT_NOISESHIFT_OPTIONS } from './options.js';
import { runNoiseShift } from './pipeline.js';

const appDir = appDirectory(import.meta.url);

const d = DEFAULT_NOISESHIFT_OPTIONS;
const program = new Command()
  .name('noiseshift')
  .description('NoiseShift on MNIST: a denoiser trained at 32x32 sampled at 16x16 and 8x8, with and without recalibrated noise levels.')
  .option('--epochs <n>', 'epochs of the native-resolution denoiser', positiveInt, d.epochs)
  .option('--control-epochs <n>', 'epochs of the control denoiser trained at every side', positiveInt, d.controlEpochs)
  .option('--steps <n>', 'Euler steps of the sampler', positiveInt, d.steps)
  .option('--samples <n>', 'images generated per seed and setting', positiveInt, d.samples)
  .option('--seeds <list>', 'sampling seeds, comma-separated', listOf(positiveInt), [...d.seeds])
  .option('--seed <n>', 'seed of the split, initial weights and shuffling', positiveInt, d.seed)
  .option('--recalibrate', 'calibrate the tables again even when cached', false)
  .option('--cache-dir <dir>', 'where trained weights and tables are cached', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-progress', 'hide the progress bars');

const opts = program.parse().opts<{
  epochs: number;
  controlEpochs: number;
  steps: number;
  samples: number;
  seeds: number[];
  seed: number;
  recalibrate: boolean;
  cacheDir: string;
  outDir: string;
  progress: boolean;
}>();

await useWasmBackend();
const run = await runNoiseShift({ ...DEFAULT_NOISESHIFT_OPTIONS, ...opts, log: (line) => console.log(line) });
console.log(run.table);
console.log(`done in ${run.seconds.total!.toFixed(1)} s (${Object.entries(run.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')})`);
