#!/usr/bin/env node
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useWasmBackend } from '@offramp/backbones';
import { Command, InvalidArgumentError } from 'commander';
import type { DatasetName } from './datasets.js';
import { CONFORMAL_LAMBDA, DEFAULT_OPTIONS, runJeiApp } from './pipeline.js';
import { updateReadmeTable } from './readme-table.js';
import { datasetMarkdown } from './report.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, received ${value}`);
  return n;
}

function lambdaList(value: string): number[] {
  const list = value.split(',').map(Number);
  if (list.length === 0 || list.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new InvalidArgumentError(`expected comma-separated numbers >= 0, received ${value}`);
  }
  return list;
}

function datasetList(value: string): DatasetName[] {
  const names = value.split(',');
  for (const name of names) {
    if (name !== 'mnist' && name !== 'fashion-mnist') throw new InvalidArgumentError(`expected mnist and/or fashion-mnist, received ${name}`);
  }
  return names as DatasetName[];
}

const program = new Command()
  .name('jei-dnn')
  .description('JEI-DNN (learned exits and gates over a frozen backbone) vs threshold gates, a BERxiT-style gate and the oracle.')
  .option('--datasets <list>', 'mnist and/or fashion-mnist', datasetList, ['mnist', 'fashion-mnist'])
  .option('--lambdas <list>', 'the lambda sweep', lambdaList, [...DEFAULT_OPTIONS.jei.lambdas])
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
  await updateReadmeTable(join(appDir, 'README.md'), reports.map((r) => datasetMarkdown(r, CONFORMAL_LAMBDA)).join('\n\n'));
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
