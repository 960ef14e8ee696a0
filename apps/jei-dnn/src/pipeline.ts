import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import type { DatasetName, SplitSizes } from './datasets.js';
import { type ExperimentOptions, type ExperimentReport, runExperiment } from './experiment.js';
import { accuracyCostSvg } from './plot.js';
import { datasetMarkdown } from './report.js';

export interface JeiAppOptions extends Omit<ExperimentOptions, 'dataset' | 'sizes'> {
  readonly datasets: readonly { readonly name: DatasetName; readonly sizes: SplitSizes }[];
  readonly outDir: string;
}

const DEFAULT_SIZES: SplitSizes = { train: 7000, validation: 1000, test: 2000 };

export const DEFAULT_OPTIONS: Omit<JeiAppOptions, 'cacheDir' | 'outDir' | 'log'> = {
  datasets: [
    { name: 'mnist', sizes: DEFAULT_SIZES },
    { name: 'fashion-mnist', sizes: DEFAULT_SIZES },
  ],
  seed: 7,
  backbone: { epochs: 8, batchSize: 64, seed: 7, progress: true },
  warmup: { maxEpochs: 15, learningRate: 0.01 },
  jei: { lambdas: [0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 1, 2, 5], epochs: 10, batchSize: 64, switchEvery: 25, learningRate: 0.01, weighting: 'paper', rhoCounts: 'target-exit' },
  hiddenGateEpochs: 5,
  alphas: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1],
  maxDrop: 0.005,
  progress: true,
};

export const CONFORMAL_LAMBDA = 0.7;

/** Every data set: run, then write results/jei-dnn.json, jei-dnn.md and one SVG per data set. */
export async function runJeiApp(options: JeiAppOptions): Promise<ExperimentReport[]> {
  const reports: ExperimentReport[] = [];
  for (const { name, sizes } of options.datasets) {
    options.log(`\n== ${name} ==`);
    reports.push(await runExperiment({ ...options, dataset: name, sizes }));
  }
  const markdown = reports.map((r) => datasetMarkdown(r, CONFORMAL_LAMBDA)).join('\n\n');
  await writeFileAtomic(join(options.outDir, 'jei-dnn.json'), `${JSON.stringify(reports, null, 1)}\n`);
  await writeFileAtomic(join(options.outDir, 'jei-dnn.md'), `${markdown}\n`);
  for (const report of reports) {
    await writeFileAtomic(join(options.outDir, `${report.dataset}-accuracy-cost.svg`), await accuracyCostSvg(report));
  }
  options.log(`\n${markdown}`);
  options.log(`\nwrote ${join(options.outDir, 'jei-dnn.json')}, jei-dnn.md and the SVG plots`);
  return reports;
}
