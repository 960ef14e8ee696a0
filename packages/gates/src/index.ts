export {
  entropy,
  maxProb,
  normalizedEntropy,
  normalizedPowerEntropy,
  powerEntropy,
  topTwoMargin,
} from './features.js';
export { UNCERTAINTY_FEATURE_COUNT, uncertaintyFeatures } from './uncertainty.js';
export { entropyToScoreThreshold, scoreToEntropyThreshold } from './entropy-threshold.js';
export { maxProbGate } from './max-prob.js';
export { marginGate } from './margin.js';
export { entropyGate } from './entropy.js';
export { powerEntropyGate } from './power-entropy.js';
export { agreementStreak, patienceGate, patienceOptions, type PatienceOptions } from './patience.js';
export { builtinGateRegistry, builtinGates, registerBuiltinGates, ruleGates } from './builtins.js';
export {
  checkJeiGateWeights,
  conditionalExitProbabilities,
  exitDistribution,
  exitProbabilityAt,
  gateValues,
  sigmoid,
  type JeiGateWeights,
} from './jei-math.js';
export { jeiGate, jeiGateOptions, jeiGateValues, type JeiGateOptions } from './jei.js';
export { hiddenStateGate, hiddenStateGateOptions, type HiddenStateGateOptions } from './hidden-state.js';
export { similarityGate } from './similarity.js';
export {
  entropyGraph,
  hiddenStateGraph,
  jeiGraph,
  marginGraph,
  maxProbGraph,
  normalizedGraph,
  oneMinusGraph,
  patienceGraph,
  powerEntropyGraph,
  sigmoidGraph,
} from './graph/index.js';
export { batchCosine, wholeBatchExitLayer } from './whole-batch-similarity.js';
export { streamThresholds, type StreamThresholds } from './stream-thresholds.js';
export { decoderThreshold, decoderThresholdSchedule } from './decoder-threshold-schedule.js';
