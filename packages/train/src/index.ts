export { fit, type FitOptions, type FitResult } from './fit.js';
export { createTrainingProgress, type TrainingProgress } from './progress.js';
export {
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointEntry,
} from './checkpoint-format.js';
export { checkpointExists, loadVariables, readCheckpoint, saveVariables } from './checkpoint.js';
export { BestWeights, type BestWeightsOptions } from './best-weights.js';
