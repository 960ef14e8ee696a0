#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, listOf, numberAtLeast, oneOf, positiveInt, updateMarkedSection } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import type { DatasetName } from './datasets.js';
import { CONFORMAL_LAMBDA, DEFAULT_OPTIONS, runJeiApp } from './pipeline.js';
import { datasetMarkdown } from './report.js';

const appDir = appDirectory(import.meta.url);

const program = new Command()
  .name('jei-dnn')
  .description('JEI-DNN (learned exits and gates over a frozen backbone) vs threshold gates, a BERxiT-style gate and the oracle.')
  .option('--datasets <list>', 'mnist and/or fashion-mnist', listOf(oneOf(['mnist', 'fashion-mnist'] as const)), ['mnist', 'fashion-mnist'])
  .option('--lambdas <list>', 'the lambda sweep', listOf(numberAtLeast(0)), [...DEFAULT_OPTIONS.jei.lambdas])
  .option('--jei-epochs <n>', 'JEI-DNN epochs per lambda', positiveInt, DEFAULT_OPTIONS.jei.epochs)
  .option('--weighting <mode>', "head loss weighting: 'paper' or 'released'", DEFAULT_OPTIONS.jei.weighting)
  .option('--rho-counts <mode>', "what n_l counts in the gate loss's rho: 'target-exit' (as specified) or 'positives'", DEFAULT_OPTIONS.jei.rhoCounts)
  .option('--seed <n>', 'seed of the splits, initialisation and shuffling', positiveInt, DEFAULT_OPTIONS.seed)
  .option('--cache-dir <dir>', 'trained backbones, checkpoints and the Fashion-MNIST binary cache', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-progress', 'hide progress bars')
  .option('--no-readme', "do not write the tables into the app's README");

const opts = program.parse().opts<{
  datasets: DatasetName[];
  lambdas: number[];
  jeiEpochs: number;
  weighting: string;
  rhoCounts: string;
  seed: number;
  cacheDir: string;
  outDir: string;
  progress: boolean;
  readme: boolean;
}>();
if (opts.weighting !== 'paper' && opts.weighting !== 'released') {
  program.error(`--weighting: expected 'paper' or 'released', received ${opts.weighting}`);
}

if (opts.rhoCounts !== 'target-exit' && opts.rhoCounts !== 'positives') {
  program.error(`--rho-counts: expected 'target-exit' or 'positives', received ${opts.rhoCounts}`);
}

await useWasmBackend();
const started = Date.now();
const sizes = DEFAULT_OPTIONS.datasets[0]!.sizes;
const reports = await runJeiApp({
  ...DEFAULT_OPTIONS,
  datasets: opts.datasets.map((name) => ({ name, sizes })),
  seed: opts.seed,
  backbone: { ...DEFAULT_OPTIONS.backbone, seed: opts.seed, progress: opts.progress },
  jei: { ...DEFAULT_OPTIONS.jei, lambdas: opts.lambdas, epochs: opts.jeiEpochs, weighting: opts.weighting as 'paper' | 'released', rhoCounts: opts.rhoCounts as 'target-exit' | 'positives' },
  cacheDir: opts.cacheDir,
  outDir: opts.outDir,
  progress: opts.progress,
  log: (line) => console.log(line),
});
if (opts.readme) {
  await updateMarkedSection(join(appDir, 'README.md'), 'jei-table', reports.map((r) => datasetMarkdown(r, CONFORMAL_LAMBDA)).join('\n\n'));
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
