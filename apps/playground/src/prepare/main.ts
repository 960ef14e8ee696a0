#!/usr/bin/env node
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { Command } from 'commander';
import { positiveInt } from '@offramp/app-kit';
import { APP_DIR as appDir } from '../web/page-config.js';
import { prepareModel } from './prepare.js';

const opts = new Command()
  .name('prepare')
  .description('Export the digits network to ONNX and write it, the test trace and sample digits into public/model/.')
  .option('--cache-dir <dir>', 'where the trained digits backbone is cached', join(appDir, '..', 'digits', '.cache'))
  .option('--model-dir <dir>', 'the page model directory', join(appDir, 'public', 'model'))
  .option('--results-dir <dir>', 'where prepare.json is written', join(appDir, 'results'))
  .option('--per-class <n>', 'test images per class shipped with the page', positiveInt, 4)
  .option('--no-progress', 'hide progress bars')
  .parse()
  .opts<{ cacheDir: string; modelDir: string; resultsDir: string; perClass: number; progress: boolean }>();

await useWasmBackend();
const started = Date.now();
const summary = await prepareModel({ ...opts, maxDrop: 0.005, log: (line) => console.log(line) });
console.log(
  `test accuracy per exit: ${summary.exitAccuracies.map((a) => (a * 100).toFixed(2)).join(' / ')} %; ` +
    `${summary.gate} threshold ${summary.threshold.toFixed(4)}; ${summary.shippedSamples} sample digits`,
);
const total = Object.values(summary.files).reduce((a, b) => a + b, 0);
console.log(`wrote ${Object.keys(summary.files).length + 1} files (${(total / 1024).toFixed(0)} KiB) to ${opts.modelDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
