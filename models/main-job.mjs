#!/usr/bin/env node
// The main job: a model trained and exported by PyTorch gets certified early exits through the `offramp`
// command, as a user would run it: inspect, attach (features, heads, Learn-then-Test, compile, timing), eval.
//   node models/main-job.mjs [fashion-resnet|fashion-vit]
// Writes models/<model>/early-exit/ (results.json, report.html, manifest.json; the graphs are not committed).
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OFFRAMP = join(ROOT, 'packages/cli/dist/main.js');

/** The exits of each shipped model: early block outputs, and the model's own logits as the last exit. */
const resnetBlock = (i) => `/blocks.${i}/out_relu/Relu_output_0`;
const vitBlock = (i) => `/blocks.${i}/Add_1_output_0`;
const MODELS = {
  'fashion-resnet': [resnetBlock(0), resnetBlock(1), resnetBlock(3), resnetBlock(6), 'logits'],
  'fashion-vit': [vitBlock(0), vitBlock(1), vitBlock(2), vitBlock(3), 'logits'],
};
const name = process.argv[2] ?? 'fashion-resnet';
if (!(name in MODELS)) {
  console.error(`usage: main-job.mjs [${Object.keys(MODELS).join('|')}]`);
  process.exit(2);
}
// Paths relative to the repository (the command runs there), as results.json and the report name them.
const model = join('models', name, 'model.onnx');
const out = join('models', name, 'early-exit');
const cache = join('models', '.offramp-cache');

function offramp(...args) {
  console.log(`\n$ offramp ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [OFFRAMP, ...args], { stdio: 'inherit', cwd: ROOT });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const started = performance.now();
offramp('inspect', model, '--exits', 'auto:3');
offramp(
  'attach', model,
  '--exits', MODELS[name].join(','),
  '--train', 'fashion-mnist:train:0-10000',
  // The models were trained on all 60,000 training images: data the model has not seen certifies (the first half
  // of the test set) and the other half reports.
  '--val', 'fashion-mnist:test:0-5000',
  '--test', 'fashion-mnist:test:5000-10000',
  '--risk', '0.01', '--delta', '0.1',
  '--cache', cache, '--timing-samples', '2048',
  '--out', out, '--force',
);
offramp('eval', out, '--test', 'fashion-mnist:test:5000-10000', '--cache', cache);

const results = JSON.parse(await readFile(join(ROOT, out, 'results.json'), 'utf8'));
const pct = (v) => `${(100 * v).toFixed(2)}%`;
console.log(`\n${name}: certified early exit (epsilon ${results.risk}, delta ${results.delta}) on ${results.samples} Fashion-MNIST test images (the second half)`);
console.log(`  accuracy ${pct(results.earlyExit.accuracy)} (the model itself, the last exit: ${pct(results.lastExit.accuracy)}; oracle ${pct(results.oracle.accuracy)})`);
console.log(`  MACs ${pct(results.earlyExit.macsRatio)} of the full model's; samples per exit ${results.earlyExit.exitCounts.join(' / ')}`);
for (const row of results.timing.rows) {
  console.log(`  batch ${row.batch}: ${row.fullUs.toFixed(0)} us -> ${row.compiledUs.toFixed(0)} us per image compiled (${row.compiledSpeedup.toFixed(2)}x), ${row.earlyExitUs.toFixed(0)} us JS-driven (${row.earlyExitSpeedup.toFixed(2)}x)`);
}
console.log(`  report: ${relative(process.cwd(), join(ROOT, out, 'report.html'))}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
