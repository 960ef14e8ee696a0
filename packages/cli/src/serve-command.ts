import { DEFAULT_ADAPTATION, DEFAULT_SERVER_OPTIONS, POLICIES, serve } from '@offramp/serve';
import type { Command } from 'commander';
import { choiceOption, fractionOption, wholeNumberOption } from './option-values.js';

interface ServeCliOptions {
  readonly host: string;
  readonly port: string;
  readonly policy: string;
  readonly threads: string;
  readonly maxBatch: string;
  readonly maxWait: string;
  readonly maxQueue: string;
  readonly timeout: string;
  readonly sampleFraction: string;
}

/** Adds `offramp serve <dir>`: the attached model over HTTP (@offramp/serve) until SIGTERM / SIGINT. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve an attached model over HTTP (POST /v1/predict, GET /metrics) until SIGTERM / SIGINT, then drain.')
    .argument('<dir>', 'output folder of offramp attach')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--policy <name>', `batching policy: ${POLICIES.join(', ')}`, 'compiled')
    .option('--threads <n>', 'onnxruntime intra-op threads', '1')
    .option('--max-batch <n>', 'a stage runs once this many rows wait', String(DEFAULT_SERVER_OPTIONS.maxBatch))
    .option('--max-wait <ms>', '...or once its oldest row waited this long', String(DEFAULT_SERVER_OPTIONS.maxWaitMs))
    .option('--max-queue <n>', 'requests in the server at most (beyond: 429)', String(DEFAULT_SERVER_OPTIONS.maxQueue))
    .option('--timeout <ms>', 'answer within this time or 504', String(DEFAULT_SERVER_OPTIONS.timeoutMs))
    .option('--sample-fraction <f>', 'continuous policy: fraction of requests also run to the last exit to adapt the thresholds (0: off)', '0')
    .action(async (dir: string, o: ServeCliOptions) => {
      const sampleFraction = fractionOption(o.sampleFraction, '--sample-fraction');
      await serve({
        ...DEFAULT_SERVER_OPTIONS,
        bundle: dir,
        host: o.host,
        port: wholeNumberOption(o.port, 0, '--port'),
        policy: choiceOption(o.policy, POLICIES, '--policy'),
        threads: wholeNumberOption(o.threads, 1, '--threads'),
        maxBatch: wholeNumberOption(o.maxBatch, 1, '--max-batch'),
        maxWaitMs: wholeNumberOption(o.maxWait, 0, '--max-wait'),
        maxQueue: wholeNumberOption(o.maxQueue, 1, '--max-queue'),
        timeoutMs: wholeNumberOption(o.timeout, 1, '--timeout'),
        sampleFraction,
        adaptation: DEFAULT_ADAPTATION,
      });
    });
}
