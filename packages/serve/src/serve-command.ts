import { readOnnxBundle } from '@offramp/onnx/node';
import type { FastifyInstance } from 'fastify';
import type { PolicyName } from './answer.js';
import { servedModelFromBundle } from './served-model.js';
import { createServer, type ServerOptions } from './server.js';
import type { AdaptationOptions } from './threshold-adapter.js';

export interface ServeSettings extends Omit<ServerOptions, 'adaptation'> {
  readonly bundle: string;
  readonly host: string;
  readonly port: number;
  readonly sampleFraction: number;
  readonly adaptation: AdaptationOptions;
  readonly threads: number;
  /** Thresholds to serve with instead of the manifest's (one per exit before the last). */
  readonly thresholds?: readonly number[];
}

/** Serves a bundle until SIGTERM or SIGINT, then shuts down gracefully. Prints JSON lines (listening, closed). */
export async function serve(settings: ServeSettings): Promise<void> {
  const bundle = await readOnnxBundle(settings.bundle);
  const model = await servedModelFromBundle(bundle, {
    sessionOptions: { intraOpNumThreads: settings.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' },
    ...(settings.thresholds ? { thresholds: settings.thresholds, thresholdsField: '--thresholds' } : {}),
  });
  const policy: PolicyName = settings.policy;
  const { adaptation, bundle: _bundle, host: _host, port: _port, sampleFraction: _f, threads: _t, thresholds: _th, ...options } = settings;
  let url: string;
  let app: FastifyInstance;
  try {
    // The compiled policy fails here when the bundle's gate has no ONNX form (GateNotCompilableError).
    app = createServer(model, {
      ...options,
      ...(settings.sampleFraction > 0 ? { adaptation: { sampleFraction: settings.sampleFraction, options: adaptation } } : {}),
    }).app;
    url = await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await model.release();
    throw error;
  }
  console.log(JSON.stringify({ event: 'listening', url, policy, network: model.name }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await model.release();
    console.log(JSON.stringify({ event: 'closed' }));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
