export * from './errors.js';
export type { ExitRecord, ExitSignal, GateNeed } from './signal.js';
export type {
  GateAttribute,
  GateGraph,
  GateGraphInputs,
  GateGraphOutputs,
  GateLowering,
  GateTensorType,
} from './gate-graph.js';
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
export { matchNames, NamedRegistry, type RegistryErrors } from './named-registry.js';
export { PartRegistry, type PartPlugin } from './part-plugin.js';
export { isStandardSchema, OPTIONS_SCHEMA_EXPECTED, type OptionsSchema } from './options-schema.js';
export type { Engine } from './engine.js';
export type { Module } from './module.js';
export { DenseEngine, type DenseEngineSpec, type DenseLayer, type HostBatch } from './dense-engine.js';
export { computeExitCosts, type CostModel, type CostUnit, type ExitCosts } from './cost.js';
export { impliedSpeedup, measureStageTimes, timeExitCosts, type StageTimeOptions, type StageTimes } from './stage-times.js';
export { resolveThresholds } from './thresholds.js';
export { summarizeExits, type ExitResult, type ExitSummary } from './result.js';
export { runEarlyExit } from './runner.js';
export {
  createExitPolicy,
  parsePolicySpec,
  policySpecSchema,
  resolvePolicy,
  withThresholds,
  type ExitPolicy,
  type PolicyNetwork,
  type PolicyParts,
  type PolicySpec,
} from './policy.js';
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
export { argmaxRows, cosineRows, median, shapeSize, softmaxRows, takeRows } from './math.js';
export { createRng, type Rng } from './random.js';
export { parseJsonText, type JsonTextLimits, type JsonTextOptions } from './json-text.js';
export {
  networkConfigSchema,
  parseNetworkConfig,
  parseNetworkConfigJson,
  parseNetworkConfigShape,
  policyFromConfig,
  type NetworkConfig,
} from './config.js';
export {
  checkPolicyFits,
  enterRows,
  runStageStep,
  type RowGroup,
  type StageOutcome,
  type StageStepOptions,
} from './stage-step.js';
export { StageQueue } from './stage-queue.js';
export { decideRows, leaves } from './exit-step.js';
export type { NeedFlags } from './needs.js';
