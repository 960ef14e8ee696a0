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
export { builtinGates, registerBuiltinGates } from './builtins.js';
