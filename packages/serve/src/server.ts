import { ArgumentError } from '@offramp/core';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Answer, BatchingOptions, PolicyName, Scheduler } from './answer.js';
import { batchEarlyExitRunner, compiledRunner, fullModelRunner } from './batch-runners.js';
import type { CompiledGraph } from './compiled-graph.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import { errorAnswer, HttpRefusal } from './http-errors.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { sampleFromBinary, sampleFromJson } from './request-input.js';
import type { ServedModel } from './served-model.js';
import { StageScheduler } from './stage-scheduler.js';
import { type AdaptationOptions, ThresholdAdapter } from './threshold-adapter.js';

export interface ServerOptions extends BatchingOptions {
  readonly policy: PolicyName;
  /** Requests admitted and not yet answered, at most; beyond it, 429. */
  readonly maxQueue: number;
  /** A request not answered within this many milliseconds gets a 504. */
  readonly timeoutMs: number;
  /** Largest request body in bytes; beyond it, 413. */
  readonly bodyLimit: number;
  /** Online adaptation (continuous policy only): the fraction of requests sampled and the constraint. */
  readonly adaptation?: { readonly sampleFraction: number; readonly options: AdaptationOptions };
  /**
   * Slow and idle clients: the headers must arrive within `headersMs`, the whole request within `requestMs`, a
   * connection with nothing moving is closed after `idleMs`, a kept-alive one after `keepAliveMs` without a request.
   * Default DEFAULT_CONNECTION_TIMEOUTS.
   */
  readonly connectionTimeouts?: ConnectionTimeouts;
}

export interface ConnectionTimeouts {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly idleMs: number;
  readonly keepAliveMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 };

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  policy: 'continuous',
  maxBatch: 32,
  maxWaitMs: 1,
  maxQueue: 256,
  timeoutMs: 2000,
  bodyLimit: 64 * 1024,
};

export interface EarlyExitServer {
  readonly app: FastifyInstance;
  readonly scheduler: Scheduler;
  readonly adapter: ThresholdAdapter | undefined;
  readonly metrics: ServerMetrics;
}

function initialThresholds<T>(model: ServedModel<T>): number[] {
  return Array.from(model.policy.thresholds);
}

/**
 * The model's policy compiled into one graph, for the `compiled` policy: thrown here, when the
 * server is created, if it cannot be (core's GateNotCompilableError for a gate without an ONNX form).
 */
function compiledGraphOf<T>(model: ServedModel<T>): CompiledGraph {
  if (!model.compiler) {
    throw new ArgumentError({
      field: 'model.compiler',
      expected: 'a model opened from a bundle (servedModelFromBundle), whose policy the compiled policy compiles',
      received: 'a model without a compiler',
    });
  }
  return model.compiler.compile(model.policy);
}

function createScheduler<T>(
  model: ServedModel<T>,
  options: ServerOptions,
  adapter: ThresholdAdapter | undefined,
  compiled: CompiledGraph | undefined,
): Scheduler {
  const batching = { maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs };
  switch (options.policy) {
    case 'continuous':
      return new StageScheduler(model, {
        ...batching,
        sampleFraction: adapter ? options.adaptation!.sampleFraction : 0,
        ...(adapter ? { adapter } : {}),
      });
    case 'batch-exit':
      return new DynamicBatcher('batch-exit', model.inputSize, batching, batchEarlyExitRunner(model));
    case 'compiled':
      return new DynamicBatcher('compiled', model.inputSize, batching, compiledRunner(compiled ?? compiledGraphOf(model)));
    case 'full':
      return new DynamicBatcher('full', model.inputSize, batching, fullModelRunner(model));
  }
}

function withTimeout(answer: Promise<Answer>, ms: number): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpRefusal(504, 'TIMEOUT', `no answer within ${ms} ms (the request stays in the pipeline and its answer is dropped)`)),
      ms,
    );
  });
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The HTTP server: POST /v1/predict (JSON `{ "input": [...] }` or a binary float32 body), GET
 * /healthz, /readyz, /metrics (Prometheus text), /v1/model and /v1/adaptation. Closing it (app.close())
 * stops admitting requests, runs every queued one without waiting for fuller batches, and answers
 * those in flight before the listener goes away. The caller releases the model afterwards.
 * With the `compiled` policy the model's policy is compiled here (a gate without an ONNX form throws
 * core's GateNotCompilableError at once) and its session opens before the server is ready
 * (`app.ready()`, `listen()` or the first `inject()`).
 */
export function createServer<T>(model: ServedModel<T>, options: ServerOptions = DEFAULT_SERVER_OPTIONS): EarlyExitServer {
  const { engine, policy } = model;
  const adapter =
    options.adaptation && options.adaptation.sampleFraction > 0 && options.policy === 'continuous'
      ? new ThresholdAdapter(policy.gate, policy.costs, engine.classes, initialThresholds(model), options.adaptation.options)
      : undefined;
  const compiled = options.policy === 'compiled' ? compiledGraphOf(model) : undefined;
  const scheduler = createScheduler(model, options, adapter, compiled);
  const metrics = createMetrics(scheduler, adapter);
  const timeouts = options.connectionTimeouts ?? DEFAULT_CONNECTION_TIMEOUTS;
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    logger: false,
    // While draining, the route itself answers 503 with retry-after (Fastify's own 503 has none).
    return503OnClosing: false,
    // Open connections stay open through the drain, so a request on one gets that 503 rather than a reset;
    // each closes after its answer (connection: close) or after keepAliveMs idle.
    forceCloseConnections: false,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
    // Node checks the header and request deadlines on this interval (30 s by default).
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.max(10, Math.min(1000, timeouts.headersMs / 4)) },
    // Errors raised before routing (a URL that does not decode) get the same JSON error body as the rest.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorAnswer(error);
      void (reply as FastifyReply).status(status).send(body);
    },
  });
  let closing = false;

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorAnswer(error);
    metrics.requests.inc({ status: String(status) });
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } });
  });

  app.post('/v1/predict', async (request, reply) => {
    const started = performance.now();
    const input = Buffer.isBuffer(request.body)
      ? sampleFromBinary(request.body, engine.inputShape, model.inputSize)
      : sampleFromJson(request.body, engine.inputShape, model.inputSize);
    if (closing) {
      void reply.header('retry-after', '1').header('connection', 'close');
      throw new HttpRefusal(503, 'CLOSING', 'the server is shutting down');
    }
    if (scheduler.depth >= options.maxQueue) {
      void reply.header('retry-after', '1');
      throw new HttpRefusal(429, 'QUEUE_FULL', `${scheduler.depth} requests queued (at most ${options.maxQueue})`);
    }
    try {
      const answer = await withTimeout(scheduler.submit(input), options.timeoutMs);
      metrics.requests.inc({ status: '200' });
      metrics.latency.observe({ outcome: 'ok' }, (performance.now() - started) / 1000);
      metrics.exits.inc({ exit: String(answer.exit) });
      return { ...answer, policy: scheduler.policy };
    } catch (error) {
      metrics.latency.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
      throw error;
    }
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (closing) return reply.status(503).send({ status: 'closing' });
    return { status: 'ready', policy: scheduler.policy, queued: scheduler.depth };
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/v1/model', async () => ({
    name: model.name,
    inputShape: engine.inputShape,
    classes: engine.classes,
    exits: engine.exits,
    gate: policy.gate.name,
    thresholds: scheduler instanceof StageScheduler ? scheduler.thresholds : initialThresholds(model),
    policy: scheduler.policy,
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    maxQueue: options.maxQueue,
    timeoutMs: options.timeoutMs,
  }));
  app.get('/v1/adaptation', async () =>
    adapter ? { adapting: true, ...adapter.status() } : { adapting: false, thresholds: initialThresholds(model) },
  );

  if (compiled) {
    app.addHook('onReady', async () => {
      await compiled.session();
    });
  }
  app.addHook('preClose', async () => {
    closing = true;
    await scheduler.drain();
  });
  app.addHook('onClose', async () => {
    await scheduler.drain();
  });
  return { app, scheduler, adapter, metrics };
}
