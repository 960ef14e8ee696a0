export { crossEntropyPerSample } from './cross-entropy.js';
export { checkExitWeights, multiExitCrossEntropy } from './multi-exit.js';
export { warmupWeights } from './warmup.js';
export { stopGradient } from './stop-gradient.js';
export { demdLoss, emoLoss, type DemdLossOptions, type EmoLossOptions, type EmoMode } from './emo.js';
export {
  jeiClassBalance,
  jeiGateLoss,
  jeiGateTargets,
  jeiTargetExits,
  jeiTargetExitsHost,
  type ClassBalanceOptions,
} from './jei-gate-loss.js';
export { jeiHeadLoss, type JeiHeadLossOptions } from './jei-head-loss.js';
export { exitCorrectnessLoss } from './exit-correctness-loss.js';
export {
  layerwiseDecoderLoss,
  type LayerwiseDecoderLossOptions,
  type SharedOutputHead,
} from './layerwise-decoder-loss.js';
