import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CliCommand,
  type CliContext,
  cliCommand,
  listOf,
  numberAtLeast,
  numberIn,
  oneOf,
  type SeedDeclaration,
  wholeNumber,
} from '@offramp/app-kit';
import { DEFAULT_ADAPTATION, DEFAULT_SERVER_OPTIONS, POLICIES, type PolicyName } from '@offramp/serve';
import type { Command } from 'commander';
import { writeOpenLoopReport } from './open-loop-report.js';
import { writeReport } from './report.js';
import type { LoadTestReport, OpenLoopReport, ServingSettings } from './report-types.js';
import { runLoadTest } from './run-load-test.js';
import { runOpenLoop } from './run-open-loop.js';

/** The options both load tests take, as commander names them. */
interface ServingCliOptions {
  readonly networks: string[];
  readonly bundleDir: string;
  readonly policies: PolicyName[];
  readonly warmup: number;
  readonly maxBatch: number;
  readonly maxWait: number;
  readonly maxQueue: number;
  readonly timeout: number;
  readonly epsilon: number;
  readonly delta: number;
  readonly test: number;
  readonly sampleFraction: number;
  readonly seed: number;
  readonly outDir: string;
  readonly readme: boolean;
}

interface ClosedLoopCliOptions extends ServingCliOptions {
  readonly connections: number[];
  readonly duration: number;
  readonly rounds: number;
}

interface OpenLoopCliOptions extends ServingCliOptions {
  readonly fractions: number[];
  readonly rates?: number[];
  readonly duration: number;
  readonly capacityClients: number;
  readonly capacityDuration: number;
  readonly maxSockets: number;
}

interface ReportCliOptions {
  readonly outDir: string;
  readonly readme: boolean;
}

/** Test digits at most (the MNIST digits' test split). */
const MAX_TEST_SAMPLES = 2000;

const benchDir = (appDir: string) => join(appDir, '..', 'bench');

/** The options both load tests take: what is served and how (`--seed`, `--out-dir`, `--no-readme` are common). */
function withServingOptions(command: Command, appDir: string): Command {
  return command
    .option('--networks <list>', 'bundles to serve (folders under --bundle-dir)', listOf(String), ['deep-mlp', 'digits-cnn'])
    .option('--bundle-dir <dir>', 'where the bundles are (apps/bench exports them there)', join(benchDir(appDir), '.cache', 'onnx'))
    .option('--policies <list>', 'policies to compare', listOf(oneOf(POLICIES)), [...POLICIES])
    .option('--warmup <s>', 'warm-up seconds per server', wholeNumber(0), 2)
    .option('--max-batch <n>', 'batch bound (rows per stage call)', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxBatch)
    .option('--max-wait <ms>', 'waiting bound per stage (0: run as soon as the engine is free)', numberAtLeast(0), 0)
    .option('--max-queue <n>', 'queue bound', wholeNumber(1), DEFAULT_SERVER_OPTIONS.maxQueue)
    .option('--timeout <ms>', 'request timeout', wholeNumber(1), DEFAULT_SERVER_OPTIONS.timeoutMs)
    .option('--epsilon <e>', 'allowed disagreement with the full model', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.epsilon)
    .option('--delta <d>', 'allowed probability of breaking it', numberIn(0, 1, { open: true }), DEFAULT_ADAPTATION.delta)
    .option('--test <n>', `test digits to send (at most ${MAX_TEST_SAMPLES})`, wholeNumber(1), MAX_TEST_SAMPLES);
}

const seedOf = (what: string): SeedDeclaration => ({ description: `seed of ${what}`, default: 7, min: 0 });

/** The settings both load tests take from their options; `main` is this program's entry point. */
function servingSettings(o: ServingCliOptions, { appDir, readme, log }: CliContext, main: string): ServingSettings {
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
    testSamples: Math.min(o.test, MAX_TEST_SAMPLES),
    outDir: o.outDir,
    ...(readme ? { readme } : {}),
    main,
    benchMain: join(benchDir(appDir), 'dist', 'main.js'),
    log,
  };
}

/**
 * The load-test commands: `load-test` (closed loop, the default), `open-loop`, and `report` (the
 * tables and charts again from the results JSON). `main` is this program's entry point: each
 * server under test runs as `node <main> serve`.
 */
export function loadTestCommands(main: string): CliCommand[] {
  return [
    cliCommand<ClosedLoopCliOptions>({
      name: 'load-test',
      isDefault: true,
      description: 'Closed-loop load test on loopback: every policy at several numbers of clients, for each network; results in results/.',
      options: (command, appDir) =>
        withServingOptions(command, appDir)
          .option('--connections <list>', 'offered load: concurrent clients per point', listOf(wholeNumber(1)), [1, 2, 4, 8, 16])
          .option('--duration <s>', 'seconds per run', wholeNumber(1), 3)
          .option('--rounds <n>', 'runs per point, interleaved across policies and pooled', wholeNumber(1), 2)
          .option('--sample-fraction <f>', 'continuous policy: fraction sampled for adaptation', numberIn(0, 1), 0.05),
      common: { seed: seedOf('the data split and the request order'), outDir: true, readme: true },
      run: (o, context) =>
        runLoadTest({ ...servingSettings(o, context, main), connections: o.connections, durationS: o.duration, rounds: o.rounds }),
    }),
    cliCommand<OpenLoopCliOptions>({
      name: 'open-loop',
      description: 'Open-loop load test: seeded Poisson arrivals at fixed offered rates, latency from the scheduled arrival; results in results/.',
      options: (command, appDir) =>
        withServingOptions(command, appDir)
          .option('--fractions <list>', "offered rates as fractions of the full model's closed-loop capacity", listOf(numberIn(0, 10, { open: true })), [0.3, 0.6, 0.9])
          .option('--rates <list>', 'fixed offered rates, requests per second (instead of --fractions)', listOf(numberIn(0, 1e6, { open: true })))
          .option('--duration <s>', 'seconds of arrivals per point', numberIn(0, 3600, { open: true }), 3)
          .option('--capacity-clients <n>', 'closed-loop clients for measuring the capacity', wholeNumber(1), 16)
          .option('--capacity-duration <s>', 'seconds for measuring the capacity', wholeNumber(1), 3)
          .option('--max-sockets <n>', 'connections the generator keeps open to a server at most', wholeNumber(1), 256)
          .option('--sample-fraction <f>', 'continuous policy: fraction sampled for adaptation (0: no continuous+adapt server)', numberIn(0, 1), 0),
      common: { seed: seedOf('the data split, the request order and the arrival schedules'), outDir: true, readme: true },
      run: (o, context) =>
        runOpenLoop({
          ...servingSettings(o, context, main),
          fractions: o.fractions,
          ...(o.rates ? { rates: o.rates } : {}),
          durationS: o.duration,
          capacityClients: o.capacityClients,
          capacityS: o.capacityDuration,
          maxSockets: o.maxSockets,
        }),
    }),
    cliCommand<ReportCliOptions>({
      name: 'report',
      description: "Writes the tables and charts again from the load tests' results JSON (no load is run).",
      common: { outDir: 'where load-test.json is and the outputs go', readme: true },
      run: async ({ outDir }, { readme, log }) => {
        const report = JSON.parse(await readFile(join(outDir, 'load-test.json'), 'utf8')) as LoadTestReport;
        log(await writeReport(report, outDir, readme));
        const openLoop = join(outDir, 'open-loop.json');
        if (existsSync(openLoop)) {
          log(await writeOpenLoopReport(JSON.parse(await readFile(openLoop, 'utf8')) as OpenLoopReport, outDir, readme));
        }
      },
    }),
  ];
}
