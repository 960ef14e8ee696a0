import { cliCommand, listOf, numberAtLeast, numberIn, oneOf, wholeNumber } from '@offramp/app-kit';
import { DEFAULT_ADAPTATION, DEFAULT_SERVER_OPTIONS, POLICIES, type PolicyName, serve } from '@offramp/serve';

/** The `serve` command's options, as commander names them. */
interface ServeCliOptions {
  readonly bundle: string;
  readonly policy: PolicyName;
  readonly host: string;
  readonly port: number;
  readonly maxBatch: number;
  readonly maxWait: number;
  readonly maxQueue: number;
  readonly timeout: number;
  readonly bodyLimit: number;
  readonly threads: number;
  readonly sampleFraction: number;
  readonly epsilon: number;
  readonly delta: number;
  readonly window: number;
  readonly thresholds?: number[];
}

/** `serve serve --bundle <dir>`: serves a bundle until SIGTERM / SIGINT. */
export const serveCommand = cliCommand<ServeCliOptions>({
  name: 'serve',
  description: 'Serve an exported ONNX bundle over HTTP until SIGTERM / SIGINT (then drain and stop).',
  options: (command) =>
    command
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
      .option('--thresholds <list>', "thresholds to start from instead of the manifest's (one per exit before the last)", listOf(numberAtLeast(-Infinity))),
  common: {},
  // The server keeps running after `serve` returns: there is no run time to report.
  timed: false,
  run: (o) =>
    serve({
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
    }),
});
