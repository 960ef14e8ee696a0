export { crossEntropyPerSample } from './cross-entropy.js';
export { checkExitWeights, multiExitCrossEntropy } from './multi-exit.js';
export { warmupWeights } from './warmup.js';
