export { fit, type FitOptions, type FitResult } from './fit.js';
export { createTrainingProgress, type TrainingProgress } from './progress.js';
export {
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  upgradeCheckpoint,
  type CheckpointEntry,
} from './checkpoint-format.js';
export { readCheckpoint, upgradeCheckpointFile, writeCheckpoint } from './checkpoint-file.js';
export { checkpointExists, loadVariables, saveVariables } from './checkpoint.js';
export { BestWeights, type BestWeightsOptions } from './best-weights.js';
export {
  cachedLogits,
  cacheStageFeatures,
  featureTensor,
  traceFromCache,
  type FeatureCache,
  type LabelledImages,
} from './feature-cache.js';
export { createCosineSgd, weightDecayTerm, type CosineSgd, type SgdSettings } from './sgd-schedule.js';
export { headAccuracies, shuffledBatches, warmupHeads, type WarmupOptions, type WarmupResult } from './jei-warmup.js';
export { cachedCrossEntropies, trainJei, type JeiEpochLog, type JeiTrainOptions } from './jei-train.js';
export { jeiCheckpointName, jeiLambdaSweep, type JeiNetwork, type JeiSweepOptions } from './jei-sweep.js';
export { trainHiddenStateGates, type HiddenStateTrainOptions } from './hidden-state-train.js';
export {
  checkpointPath,
  trainOrLoadBackbone,
  type BackboneTrainingOptions,
  type LabelledBatch,
} from './backbone-training.js';
