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

/** The exits of each shipped model: two block outputs and the features the model's classifier reads. */
const MODELS = {
  'fashion-resnet': ['/blocks.3/out_relu/Relu_output_0', '/blocks.6/out_relu/Relu_output_0', '/Flatten_output_0'],
  'fashion-vit': ['/blocks.1/Add_1_output_0', '/blocks.3/Add_1_output_0', '/Gather_1_output_0'],
};
const name = process.argv[2] ?? 'fashion-resnet';
if (!(name in MODELS)) {
  console.error(`usage: main-job.mjs [${Object.keys(MODELS).join('|')}]`);
  process.exit(2);
}
const model = join(ROOT, 'models', name, 'model.onnx');
const out = join(ROOT, 'models', name, 'early-exit');
const cache = join(ROOT, 'models', '.offramp-cache');

function offramp(...args) {
  console.log(`\n$ offramp ${args.map((a) => (a.startsWith('/') ? relative(ROOT, a) || a : a)).join(' ')}`);
  const run = spawnSync(process.execPath, [OFFRAMP, ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const started = performance.now();
offramp('inspect', model, '--exits', 'auto:3');
offramp(
  'attach', model,
  '--exits', MODELS[name].join(','),
  '--train', 'fashion-mnist:train:0-10000',
  '--val', 'fashion-mnist:train:50000-60000',
  '--test', 'fashion-mnist:test',
  '--risk', '0.01', '--delta', '0.1',
  '--cache', cache, '--timing-samples', '2048',
  '--out', out, '--force',
);
offramp('eval', out, '--test', 'fashion-mnist:test', '--cache', cache);

const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
const pct = (v) => `${(100 * v).toFixed(2)}%`;
console.log(`\n${name}: certified early exit (epsilon ${results.risk}, delta ${results.delta}) on the ${results.samples} Fashion-MNIST test images`);
console.log(`  accuracy ${pct(results.earlyExit.accuracy)} (full model cut at its last exit: ${pct(results.lastExit.accuracy)}; oracle ${pct(results.oracle.accuracy)})`);
console.log(`  MACs ${pct(results.earlyExit.macsRatio)} of the full model's; samples per exit ${results.earlyExit.exitCounts.join(' / ')}`);
for (const row of results.timing.rows) {
  console.log(`  batch ${row.batch}: ${row.fullUs.toFixed(0)} us -> ${row.compiledUs.toFixed(0)} us per image compiled (${row.compiledSpeedup.toFixed(2)}x), ${row.earlyExitUs.toFixed(0)} us JS-driven (${row.earlyExitSpeedup.toFixed(2)}x)`);
}
console.log(`  report: ${relative(process.cwd(), join(out, 'report.html'))}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
