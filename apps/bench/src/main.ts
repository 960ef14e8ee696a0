#!/usr/bin/env node
import { listOf, oneOf, positiveInt, runCli, wholeNumber } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { loadNodeRuntime, loadWebRuntime } from '@offramp/onnx';
import { DEFAULT_BENCH_OPTIONS as defaults, runBench } from './pipeline.js';

/** The command line's options, as commander names them. */
interface BenchCliOptions {
  readonly repetitions: number;
  readonly batchSizes: number[];
  readonly threads: number;
  readonly runtimes: ('node' | 'web')[];
  readonly test: number;
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly readme: boolean;
  readonly progress: boolean;
}

await runCli<BenchCliOptions>({
  moduleUrl: import.meta.url,
  name: 'bench',
  description: 'Early exit vs the full model in onnxruntime, on the digits CNN and a deep MLP: throughput, accuracy, MACs.',
  options: (command) =>
    command
      .option('--repetitions <n>', 'timed repetitions per mode (the median is reported)', positiveInt, defaults.repetitions)
      .option('--batch-sizes <list>', 'comma-separated batch sizes', listOf(positiveInt), [...defaults.batchSizes])
      .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt, defaults.threads)
      .option('--runtimes <list>', "comma-separated: 'node' (onnxruntime-node), 'web' (onnxruntime-web, wasm, in Node)", listOf(oneOf(['node', 'web'] as const)), ['node', 'web'])
      .option('--test <n>', `test samples to time (at most ${defaults.sizes.test})`, wholeNumber(1, defaults.sizes.test), defaults.sizes.test),
  common: {
    seed: { description: 'seed of the split, initialisation and shuffling', default: defaults.seed },
    cacheDir: 'where trained weights and the exported graphs are kept',
    outDir: true,
    progress: true,
    readme: true,
  },
  setup: useWasmBackend,
  run: async (options, { log, readme, appDir }) => {
    const runtimes = [];
    for (const name of options.runtimes) {
      runtimes.push(
        name === 'web'
          ? { name: 'onnxruntime-web 1.30 (wasm)', runtime: await loadWebRuntime() }
          : { name: 'onnxruntime-node 1.30 (CPU)', runtime: await loadNodeRuntime() },
      );
    }
    await runBench(
      {
        ...defaults,
        sizes: { ...defaults.sizes, test: options.test },
        batchSizes: options.batchSizes,
        repetitions: options.repetitions,
        threads: options.threads,
        seed: options.seed,
        runtimes,
        appDir,
        cacheDir: options.cacheDir,
        outDir: options.outDir,
        ...(readme ? { readme } : {}),
        progress: options.progress,
        log,
      },
    );
  },
});
