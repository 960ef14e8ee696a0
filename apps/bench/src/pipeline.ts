import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import { loadMnistDigits, MNIST_DIGITS_SPLIT, splitDataset, type DatasetSplit } from '@offramp/data';
import { exportNetwork } from '@offramp/onnx/export';
import {
  type BenchModel,
  measureNetwork,
  type MeasureSettings,
  type NamedRuntime,
  type NetworkResult,
  progressTicks,
} from './bench-network.js';
import { importedTorchBundle } from './imported-network.js';
import { type BenchNetwork, createDeepMlp, createDigitsCnn, DEEP_MLP, type DeepMlpArchitecture } from './networks.js';
import { createProgress } from './progress.js';
import { type BenchReport, markdownReport, speedupSvg, updateReadme } from './report.js';
import { type TrainSettings, trainOrLoad } from './train-network.js';

export interface BenchOptions {
  readonly seed: number;
  readonly sizes: { readonly train: number; readonly validation: number; readonly test: number };
  readonly digitsTraining: Omit<TrainSettings, 'progress' | 'seed'>;
  readonly deepTraining: Omit<TrainSettings, 'progress' | 'seed'>;
  readonly deep: DeepMlpArchitecture;
  readonly batchSizes: readonly number[];
  readonly repetitions: number;
  readonly maxDrop: number;
  readonly threads: number;
  /** The onnxruntime builds to time on, in order (each network on each). */
  readonly runtimes: readonly NamedRuntime[];
  /** The app's folder (the imported PyTorch model is read relative to it). */
  readonly appDir: string;
  readonly cacheDir: string;
  readonly outDir: string;
  /** README to update between the bench-table markers, if any. */
  readonly readme?: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

export const DEFAULT_BENCH_OPTIONS = {
  seed: 7,
  sizes: MNIST_DIGITS_SPLIT,
  digitsTraining: { epochs: 6, headEpochs: 3, batchSize: 64, learningRate: 2e-3 },
  deepTraining: { epochs: 4, headEpochs: 3, batchSize: 64, learningRate: 1e-3 },
  deep: DEEP_MLP,
  batchSizes: [1, 128],
  repetitions: 5,
  maxDrop: 0.005,
  threads: 1,
} as const;

/**
 * Trains (or loads) the two networks of this repo, imports the PyTorch-exported one, measures each on
 * every runtime asked for, and writes results JSON, markdown and SVG.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const data = await loadMnistDigits();
  const split: DatasetSplit = splitDataset(data, { ...options.sizes, seed: options.seed });
  const settings: MeasureSettings = {
    batchSizes: options.batchSizes,
    repetitions: options.repetitions,
    maxDrop: options.maxDrop,
    sessionOptions: {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    },
    bundleDir: join(options.cacheDir, 'onnx'),
  };
  const makers: [() => BenchNetwork, BenchOptions['digitsTraining']][] = [
    [() => createDigitsCnn(options.seed), options.digitsTraining],
    [() => createDeepMlp(options.seed, options.deep), options.deepTraining],
  ];
  const models: BenchModel[] = [];
  for (const [make, training] of makers) {
    const network = make();
    try {
      const trained = await trainOrLoad(
        network,
        split.train,
        { ...training, seed: options.seed, progress: options.progress },
        options.cacheDir,
      );
      options.log(`${network.name}: ${trained.fromCache ? 'loaded' : 'trained and cached'} ${trained.path}`);
      const bundle = exportNetwork({
        name: network.name,
        inputShape: network.inputShape,
        classes: network.classes,
        stages: network.backbone.stages,
        heads: network.heads,
      });
      models.push({ name: network.name, description: network.description, bundle, trainedFromCache: trained.fromCache });
    } finally {
      network.dispose();
    }
  }
  models.push({
    name: 'torch-cnn',
    description: 'a CNN exported by PyTorch (torch.onnx.export; untrained weights), cut at its 3 stages, linear heads trained here',
    bundle: await importedTorchBundle(options.runtimes[0]!.runtime, options.appDir, split.train),
    trainedFromCache: false,
  });
  options.log('torch-cnn: imported, heads trained on its features');
  const networks: NetworkResult[] = [];
  for (const model of models) {
    for (const runtime of options.runtimes) {
      const progress = createProgress(progressTicks(settings), options.progress);
      try {
        networks.push(await measureNetwork(model, split, runtime, settings, progress));
      } finally {
        progress.stop();
      }
      options.log(`${model.name} on ${runtime.name}: measured`);
    }
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    node: process.versions.node,
    runtime: options.runtimes.map((r) => r.name).join(', '),
    threads: options.threads,
    repetitions: options.repetitions,
    testSamples: split.test.n,
    maxDropPoints: options.maxDrop * 100,
    networks,
  };
  await writeFileAtomic(join(options.outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = markdownReport(report);
  await writeFileAtomic(join(options.outDir, 'bench.md'), `${markdown}\n`);
  await writeFileAtomic(join(options.outDir, 'bench-speedup.svg'), await speedupSvg(report));
  if (options.readme) await updateReadme(options.readme, report);
  options.log(markdown);
  return report;
}
