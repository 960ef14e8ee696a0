#!/usr/bin/env node
import { join } from 'node:path';
import { appDirectory, listOf, positiveInt } from '@offramp/app-kit';
import { useWasmBackend } from '@offramp/backbones';
import { loadNodeRuntime, loadWebRuntime } from '@offramp/onnx';
import { Command } from 'commander';
import { DEFAULT_BENCH_OPTIONS, runBench } from './pipeline.js';

const appDir = appDirectory(import.meta.url);

const program = new Command()
  .name('bench')
  .description('Early exit vs the full model in onnxruntime, on the digits CNN and a deep MLP: throughput, accuracy, MACs.')
  .option('--repetitions <n>', 'timed repetitions per mode (the median is reported)', positiveInt, DEFAULT_BENCH_OPTIONS.repetitions)
  .option('--batch-sizes <list>', 'comma-separated batch sizes', listOf(positiveInt), [...DEFAULT_BENCH_OPTIONS.batchSizes])
  .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt, DEFAULT_BENCH_OPTIONS.threads)
  .option('--runtime <name>', "'node' (onnxruntime-node) or 'web' (onnxruntime-web, wasm)", 'node')
  .option('--test <n>', 'test samples to time (at most 2000)', positiveInt, DEFAULT_BENCH_OPTIONS.sizes.test)
  .option('--seed <n>', 'seed of the split, initialisation and shuffling', positiveInt, DEFAULT_BENCH_OPTIONS.seed)
  .option('--cache-dir <dir>', 'where trained weights and the exported graphs are kept', join(appDir, '.cache'))
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-readme', 'do not update the README table')
  .option('--no-progress', 'hide progress bars');

const opts = program.parse().opts<{
  repetitions: number;
  batchSizes: number[];
  threads: number;
  runtime: string;
  test: number;
  seed: number;
  cacheDir: string;
  outDir: string;
  readme: boolean;
  progress: boolean;
}>();

if (opts.runtime !== 'node' && opts.runtime !== 'web') {
  program.error(`--runtime: expected 'node' or 'web', received ${JSON.stringify(opts.runtime)}`);
}
if (opts.test > DEFAULT_BENCH_OPTIONS.sizes.test) program.error('--test: at most 2000 test samples');

await useWasmBackend();
const runtime = opts.runtime === 'web' ? await loadWebRuntime() : await loadNodeRuntime();
const started = Date.now();
await runBench(
  {
    ...DEFAULT_BENCH_OPTIONS,
    sizes: { ...DEFAULT_BENCH_OPTIONS.sizes, test: opts.test },
    batchSizes: opts.batchSizes,
    repetitions: opts.repetitions,
    threads: opts.threads,
    seed: opts.seed,
    runtimeName: opts.runtime === 'web' ? 'onnxruntime-web 1.30 (wasm)' : 'onnxruntime-node 1.30 (CPU)',
    cacheDir: opts.cacheDir,
    outDir: opts.outDir,
    ...(opts.readme ? { readme: join(appDir, 'README.md') } : {}),
    progress: opts.progress,
    log: (line) => console.log(line),
  },
  runtime,
);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
