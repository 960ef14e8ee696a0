#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDirectory, listOf, numberAtLeast, numberIn, oneOf, wholeNumber } from '@offramp/app-kit';
import { Command, type OptionValues } from 'commander';
import { POLICIES } from './answer.js';
import { type LoadTestReport, runLoadTest, type ServingSettings } from './load-test/run-load-test.js';
import { writeOpenLoopReport } from './load-test/open-loop-report.js';
import { writeReport } from './load-test/report.js';
import { type OpenLoopReport, runOpenLoop } from './load-test/run-open-loop.js';
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

/** Options the closed- and open-loop load tests share: what is served, how, and where results go. */
function withLoadTestOptions(command: Command, seedOf: string): Command {
  return command
    .option('--networks <list>', 'bundles to serve (folders under --bundle-dir)', listOf(String), ['deep-mlp', 'digits-cnn'])
    .option('--bundle-dir <dir>', 'where the bundles are (apps/bench exports them there)', defaultBundles)
    .option('--policies <list>', 'policies to compare', listOf(oneOf(POLICIES)), [...POLICIES])
    .option('--warmup <s>', 'warm-up seconds per server', wholeNumber(0), 2)
    .option('--max-batch <n>', 'batch bound (rows per stage call)', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxBatch)
    .option('--max-wait <ms>', 'waiting bound per stage (0: run as soon as the engine is free)', numberAtLeast(0), 0)
    .option('--max-queue <n>', 'queue bound', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxQueue)
    .option('--timeout <ms>', 'request timeout', wholeNumber(1), DEFAULT_SERVER_OPTIONS.timeoutMs)
    .option('--epsilon <e>', 'allowed disagreement with the full model', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.epsilon)
    .option('--delta <d>', 'allowed probability of breaking it', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.delta)
    .option('--seed <n>', `seed of ${seedOf}`, wholeNumber(0), 7)
    .option('--test <n>', 'test digits to send (at most 2000)', wholeNumber(1), 2000)
    .option('--out-dir <dir>', 'where results are written', join(appDir, 'results'))
    .option('--no-readme', 'do not update the README table');
}

/** The settings both load tests take from the options `withLoadTestOptions` adds (and --sample-fraction). */
function servingSettings(o: OptionValues): ServingSettings {
  return {
    networks: o.networks,
    bundleDir: o.bundleDir,
    policies: o.policies,
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
  };
}

withLoadTestOptions(
  program
    .command('load-test', { isDefault: true })
    .description('Closed-loop load test on loopback: every policy at several numbers of clients, for each network; results in results/.'),
  'the data split and the request order',
)
  .option('--connections <list>', 'offered load: concurrent clients per point', listOf(wholeNumber(1)), [1, 2, 4, 8, 16])
  .option('--duration <s>', 'seconds per run', wholeNumber(1), 3)
  .option('--rounds <n>', 'runs per point, interleaved across policies and pooled', wholeNumber(1), 2)
  .option('--sample-fraction <f>', 'continuous policy: fraction sampled for adaptation', numberIn(0, 1), 0.05)
  .action(async (o) => {
    await runLoadTest({
      ...servingSettings(o),
      connections: o.connections,
      durationS: o.duration,
      rounds: o.rounds,
    });
  });

withLoadTestOptions(
  program
    .command('open-loop')
    .description('Open-loop load test: seeded Poisson arrivals at fixed offered rates, latency from the scheduled arrival; results in results/.'),
  'the data split, the request order and the arrival schedules',
)
  .option('--fractions <list>', "offered rates as fractions of the full model's closed-loop capacity", listOf(numberIn(0, 10, { open: true })), [0.3, 0.6, 0.9])
  .option('--rates <list>', 'fixed offered rates, requests per second (instead of --fractions)', listOf(numberIn(0, 1e6, { open: true })))
  .option('--duration <s>', 'seconds of arrivals per point', numberIn(0, 3600, { open: true }), 3)
  .option('--capacity-clients <n>', 'closed-loop clients for measuring the capacity', wholeNumber(1), 16)
  .option('--capacity-duration <s>', 'seconds for measuring the capacity', wholeNumber(1), 3)
  .option('--max-sockets <n>', 'connections the generator keeps open to a server at most', wholeNumber(1), 256)
  .option('--sample-fraction <f>', 'continuous policy: fraction sampled for adaptation (0: no continuous+adapt server)', numberIn(0, 1), 0)
  .action(async (o) => {
    await runOpenLoop({
      ...servingSettings(o),
      fractions: o.fractions,
      ...(o.rates ? { rates: o.rates } : {}),
      durationS: o.duration,
      capacityClients: o.capacityClients,
      capacityS: o.capacityDuration,
      maxSockets: o.maxSockets,
    });
  });

program
  .command('report')
  .description("Writes the tables and charts again from the load tests' results JSON (no load is run).")
  .option('--out-dir <dir>', 'where load-test.json is and the outputs go', join(appDir, 'results'))
  .option('--no-readme', 'do not update the README table')
  .action(async (o) => {
    const readme = o.readme ? join(appDir, 'README.md') : undefined;
    const report = JSON.parse(await readFile(join(o.outDir, 'load-test.json'), 'utf8')) as LoadTestReport;
    console.log(await writeReport(report, o.outDir, readme));
    const openLoop = join(o.outDir, 'open-loop.json');
    if (existsSync(openLoop)) {
      console.log(await writeOpenLoopReport(JSON.parse(await readFile(openLoop, 'utf8')) as OpenLoopReport, o.outDir, readme));
    }
  });

await program.parseAsync();
