#!/usr/bin/env node
import { listOf, numberAtLeast, oneOf, positiveInt, runCli, updateMarkedSection } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import type { DatasetName } from './datasets.js';
import { CONFORMAL_LAMBDA, DEFAULT_OPTIONS, runJeiApp } from './pipeline.js';
import { datasetMarkdown } from './report.js';

/** The command line's options, as commander names them. */
interface JeiCliOptions {
  readonly datasets: DatasetName[];
  readonly lambdas: number[];
  readonly jeiEpochs: number;
  readonly weighting: 'paper' | 'released';
  readonly rhoCounts: 'target-exit' | 'positives';
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly readme: boolean;
}

await runCli<JeiCliOptions>({
  moduleUrl: import.meta.url,
  name: 'jei-dnn',
  description: 'JEI-DNN (learned exits and gates over a frozen backbone) vs threshold gates, a BERxiT-style gate and the oracle.',
  options: (command) =>
    command
      .option('--datasets <list>', 'mnist and/or fashion-mnist', listOf(oneOf(['mnist', 'fashion-mnist'] as const)), ['mnist', 'fashion-mnist'])
      .option('--lambdas <list>', 'the lambda sweep', listOf(numberAtLeast(0)), [...DEFAULT_OPTIONS.jei.lambdas])
      .option('--jei-epochs <n>', 'JEI-DNN epochs per lambda', positiveInt, DEFAULT_OPTIONS.jei.epochs)
      .option('--weighting <mode>', "head loss weighting: 'paper' or 'released'", oneOf(['paper', 'released'] as const), DEFAULT_OPTIONS.jei.weighting)
      .option(
        '--rho-counts <mode>',
        "what n_l counts in the gate loss's rho: 'target-exit' (as specified) or 'positives'",
        oneOf(['target-exit', 'positives'] as const),
        DEFAULT_OPTIONS.jei.rhoCounts,
      ),
  common: {
    seed: { description: 'seed of the splits, initialisation and shuffling', default: DEFAULT_OPTIONS.seed },
    cacheDir: 'trained backbones, checkpoints and the Fashion-MNIST binary cache',
    outDir: true,
    progress: true,
    readme: true,
  },
  setup: useWasmBackend,
  run: async (options, { log, readme }) => {
    const sizes = DEFAULT_OPTIONS.datasets[0]!.sizes;
    const reports = await runJeiApp({
      ...DEFAULT_OPTIONS,
      datasets: options.datasets.map((name) => ({ name, sizes })),
      seed: options.seed,
      backbone: { ...DEFAULT_OPTIONS.backbone, seed: options.seed, progress: options.progress },
      jei: { ...DEFAULT_OPTIONS.jei, lambdas: options.lambdas, epochs: options.jeiEpochs, weighting: options.weighting, rhoCounts: options.rhoCounts },
      cacheDir: options.cacheDir,
      outDir: options.outDir,
      progress: options.progress,
      log,
    });
    if (readme) await updateMarkedSection(readme, 'jei-table', reports.map((r) => datasetMarkdown(r, CONFORMAL_LAMBDA)).join('\n\n'));
  },
});
