// The early-exit HTTP server: serve a bundle from its folder (`serve`), or build the Fastify app
// around a model opened in code (`servedModelFromBundle`, `createServer`).
export { type Answer, type BatchingOptions, POLICIES, type PolicyName, type Scheduler } from './answer.js';
export type { CompiledGraph, PolicyCompiler } from './compiled-graph.js';
export type { ErrorBody } from './http-errors.js';
export type { ServerMetrics } from './metrics.js';
export { type ServeSettings, serve } from './serve-command.js';
export {
  DEFAULT_SESSION_OPTIONS,
  type OpenOptions,
  type ServedModel,
  type ServingEngine,
  servedModelFromBundle,
} from './served-model.js';
export {
  type ConnectionTimeouts,
  createServer,
  DEFAULT_CONNECTION_TIMEOUTS,
  DEFAULT_SERVER_OPTIONS,
  type EarlyExitServer,
  type ServerOptions,
} from './server.js';
export {
  type AdaptationOptions,
  type AdaptationStatus,
  DEFAULT_ADAPTATION,
  type ThresholdAdapter,
} from './threshold-adapter.js';
