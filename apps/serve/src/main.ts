#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDirectory, listOf, numberAtLeast, numberIn, oneOf, wholeNumber } from '@offramp/app-kit';
import { Command } from 'commander';
import { POLICIES, type PolicyName } from './answer.js';
import { type LoadTestReport, runLoadTest } from './load-test/run-load-test.js';
import { writeReport } from './load-test/report.js';
import { serve } from './serve-command.js';
import { DEFAULT_SERVER_OPTIONS } from './server.js';
import { DEFAULT_ADAPTATION } from './threshold-adapter.js';

const main = fileURLToPath(import.meta.url);
const appDir = appDirectory(import.meta.url);
const defaultBundles = join(appDir, '..', 'bench', '.cache', 'onnx');
const benchMain = join(appDir, '..', 'bench', 'dist', 'main.js');

const program = new Command()
  .name('serve')
  .description('An early-exit inference server (exit-aware batching, online threshold adaptation) and its load test.');

program
  .command('serve')
  .description('Serve an exported ONNX bundle over HTTP until SIGTERM / SIGINT (then drain and stop).')
  .requiredOption('--bundle <dir>', 'bundle folder (manifest.json and the .onnx graphs)')
  .option('--policy <name>', `batching policy: ${POLICIES.join(', ')}`, oneOf(POLICIES), DEFAULT_SERVER_OPTIONS.policy)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port (0: any free port)', wholeNumber(0), 8080)
  .option('--max-batch <n>', 'a stage runs once this many rows wait', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxBatch)
  .option('--max-wait <ms>', '...or once its oldest row waited this long', numberAtLeast(0), DEFAULT_SERVER_OPTIONS.maxWaitMs)
  .option('--max-queue <n>', 'requests in the server at most (beyond: 429)', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxQueue)
  .option('--timeout <ms>', 'answer within this time or 504', wholeNumber(1), DEFAULT_SERVER_OPTIONS.timeoutMs)
  .option('--body-limit <bytes>', 'largest request body (beyond: 413)', wholeNumber(1), DEFAULT_SERVER_OPTIONS.bodyLimit)
  .option('--threads <n>', 'onnxruntime intra-op threads', wholeNumber(1), 1)
  .option('--sample-fraction <f>', 'continuous policy: fraction of requests also run to the last exit for adaptation (0: off)', numberIn(0, 1), 0.1)
  .option('--epsilon <e>', 'allowed disagreement with the full model', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.epsilon)
  .option('--delta <d>', 'allowed probability of breaking it', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.delta)
  .option('--window <n>', 'sampled requests kept for adaptation', wholeNumber(1), DEFAULT_ADAPTATION.window)
  .option('--thresholds <list>', "thresholds to start from instead of the manifest's (one per exit before the last)", listOf(numberAtLeast(-Infinity)))
  .action(async (o) => {
    await serve({
      ...DEFAULT_SERVER_OPTIONS,
      bundle: o.bundle,
      policy: o.policy,
      host: o.host,
      port: o.port,
      maxBatch: o.maxBatch,
      maxWaitMs: o.maxWait,
      maxQueue: o.maxQueue,
      timeoutMs: o.timeout,
      bodyLimit: o.bodyLimit,
      threads: o.threads,
      sampleFraction: o.sampleFraction,
      adaptation: { ...DEFAULT_ADAPTATION, epsilon: o.epsilon, delta: o.delta, window: o.window },
      ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    });
  });

program
  .command('load-test', { isDefault: true })
  .description('Load test on loopback: every policy at several loads, for each network; results in results/.')
  .option('--networks <list>', 'bundles to serve (folders under --bundle-dir)', listOf(String), ['deep-mlp', 'digits-cnn'])
  .option('--bundle-dir <dir>', 'where the bundles are (apps/bench exports them there)', defaultBundles)
  .option('--policies <list>', 'policies to compare', listOf(oneOf(POLICIES)), [...POLICIES])
  .option('--connections <list>', 'offered load: concurrent clients per point', listOf(wholeNumber(1)), [1, 2, 4, 8, 16])
  .option('--duration <s>', 'seconds per run', wholeNumber(1), 3)
  .option('--rounds <n>', 'runs per point, interleaved across policies and pooled', wholeNumber(1), 2)
  .option('--warmup <s>', 'warm-up seconds per server', wholeNumber(0), 2)
  .option('--max-batch <n>', 'batch bound (rows per stage call)', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxBatch)
  .option('--max-wait <ms>', 'waiting bound per stage (0: run as soon as the engine is free)', numberAtLeast(0), 0)
  .option('--max-queue <n>', 'queue bound', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxQueue)
  .option('--timeout <ms>', 'request timeout', wholeNumber(1), DEFAULT_SERVER_OPTIONS.timeoutMs)
  .option('--sample-fraction <f>', 'continuous policy: fraction sampled for adaptation', numberIn(0, 1), 0.05)
  .option('--epsilon <e>', 'allowed disagreement with the full model', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.epsilon)
  .option('--delta <d>', 'allowed probability of breaking it', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.delta)
  .option('--seed <n>', 'seed of the data split and the request order', wholeNumber(0), 7)
  .option('--test <n>', 'test digits to send (at most 2000)', wholeNumber(1), 2000)
  .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
  .option('--no-readme', 'do not update the README table')
  .action(async (o) => {
    await runLoadTest({
      networks: o.networks,
      bundleDir: o.bundleDir,
      policies: o.policies,
      connections: o.connections,
      durationS: o.duration,
      rounds: o.rounds,
      warmupS: o.warmup,
      maxBatch: o.maxBatch,
      maxWaitMs: o.maxWait,
      maxQueue: o.maxQueue,
      timeoutMs: o.timeout,
      sampleFraction: o.sampleFraction,
      epsilon: o.epsilon,
      delta: o.delta,
      seed: o.seed,
      testSamples: Math.min(o.test, 2000),
      outDir: o.outDir,
      ...(o.readme ? { readme: join(appDir, 'README.md') } : {}),
      main,
      benchMain,
      log: (line) => console.log(line),
    });
  });

program
  .command('report')
  .description('Writes the tables and charts again from a load test\'s results JSON (no load is run).')
  .option('--out-dir <dir>', 'where load-test.json is and the outputs go', join(appDir, 'results'))
  .option('--no-readme', 'do not update the README table')
  .action(async (o) => {
    const report = JSON.parse(await readFile(join(o.outDir, 'load-test.json'), 'utf8')) as LoadTestReport;
    console.log(await writeReport(report, o.outDir, o.readme ? join(appDir, 'README.md') : undefined));
  });

await program.parseAsync();
