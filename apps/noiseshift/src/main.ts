#!/usr/bin/env node
import { listOf, positiveInt, runCli } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { DEFAULT_NOISESHIFT_OPTIONS as defaults } from './options.js';
import { runNoiseShift } from './pipeline.js';

/** The command line's options, as commander names them. */
interface NoiseShiftCliOptions {
  readonly epochs: number;
  readonly controlEpochs: number;
  readonly steps: number;
  readonly samples: number;
  readonly seeds: number[];
  readonly recalibrate: boolean;
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
}

await runCli<NoiseShiftCliOptions>({
  moduleUrl: import.meta.url,
  name: 'noiseshift',
  description: 'NoiseShift on MNIST: a denoiser trained at 32x32 sampled at 16x16 and 8x8, with and without recalibrated noise levels.',
  options: (command) =>
    command
      .option('--epochs <n>', 'epochs of the native-resolution denoiser', positiveInt, defaults.epochs)
      .option('--control-epochs <n>', 'epochs of the control denoiser trained at every side', positiveInt, defaults.controlEpochs)
      .option('--steps <n>', 'Euler steps of the sampler', positiveInt, defaults.steps)
      .option('--samples <n>', 'images generated per seed and setting', positiveInt, defaults.samples)
      .option('--seeds <list>', 'sampling seeds, comma-separated', listOf(positiveInt), [...defaults.seeds])
      .option('--recalibrate', 'calibrate the tables again even when cached', false),
  common: {
    seed: { description: 'seed of the split, initial weights and shuffling', default: defaults.seed },
    cacheDir: 'where trained weights and tables are cached',
    outDir: true,
    progress: true,
  },
  setup: useWasmBackend,
  run: async (options, { log }) => {
    const run = await runNoiseShift({ ...defaults, ...options, log });
    log(run.table);
    const { total: _total, ...phases } = run.seconds;
    log(`seconds per phase: ${Object.entries(phases).map(([phase, s]) => `${phase} ${s.toFixed(1)} s`).join(', ')}`);
  },
});
