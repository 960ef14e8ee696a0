export * from './errors.js';
export type { ExitRecord, ExitSignal, GateNeed } from './signal.js';
export {
  defineGate,
  describeValue,
  validateGateOptions,
  type Gate,
  type GateContext,
  type GateDefinition,
  type GatePlugin,
  type ScoreRange,
} from './gate.js';
export {
  createGate,
  defaultGateRegistry,
  GateRegistry,
  listGates,
  registerGate,
  type GateSpec,
} from './registry.js';
export type { Engine } from './engine.js';
export type { Module } from './module.js';
export { DenseEngine, type DenseEngineSpec, type DenseLayer, type HostBatch } from './dense-engine.js';
export { computeExitCosts, type CostModel, type ExitCosts } from './cost.js';
export { resolveThresholds } from './thresholds.js';
export { summarizeExits, type ExitResult, type ExitSummary } from './result.js';
export { runEarlyExit, type ExitPolicy } from './runner.js';
export { runEarlyExitPooled, type PooledOptions, type StreamBatch } from './pooled-runner.js';
export {
  collectTrace,
  evaluateTrace,
  exitsFromScores,
  oracleExits,
  resultFromExits,
  scoreTrace,
  type Trace,
  type TraceOptions,
} from './trace.js';
export { validateInput } from './input.js';
export { checkBatchShape, checkSampleShape, checkWholeNumber } from './shape.js';
export { argmaxRows, cosineRows, shapeSize, softmaxRows, takeRows } from './math.js';
export { createRng, type Rng } from './random.js';
export {
  networkConfigSchema,
  parseNetworkConfig,
  parseNetworkConfigJson,
  type GateConfig,
  type NetworkConfig,
} from './config.js';
export {
  decideAtExit,
  leavingRows,
  nextHistory,
  type ExitDecision,
  type ExitStepInput,
  type ResolvedPolicy,
} from './exit-step.js';
export { StageQueue, type PendingRows } from './stage-queue.js';
export { needFlags, type NeedFlags } from './needs.js';
