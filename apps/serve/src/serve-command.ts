import { resolveThresholds } from '@offramp/core';
import { readOnnxBundle } from '@offramp/onnx/node';
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
  const opened = await servedModelFromBundle(bundle, {
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const model = settings.thresholds
    ? {
        ...opened,
        policy: {
          ...opened.policy,
          thresholds: [...resolveThresholds(opened.policy.gate, settings.thresholds, opened.engine.exits, '--thresholds')],
        },
      }
    : opened;
  const policy: PolicyName = settings.policy;
  const { adaptation, bundle: _bundle, host: _host, port: _port, sampleFraction: _f, threads: _t, thresholds: _th, ...options } = settings;
  const { app } = createServer(model, {
    ...options,
    ...(settings.sampleFraction > 0 ? { adaptation: { sampleFraction: settings.sampleFraction, options: adaptation } } : {}),
  });
  const url = await app.listen({ port: settings.port, host: settings.host });
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
