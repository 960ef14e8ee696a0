export type { Denoiser } from './denoiser.js';
export { createUnet, type UnetOptions } from './unet.js';
export { sinusoidalEmbedding } from './time-embedding.js';
export { conv2dSame } from './conv-same.js';
export { gaussianNoise } from './gaussian.js';
export {
  areaDownsample,
  checkImageBatch,
  padImages,
  takeImages,
  toSignedRange,
  toUnitRange,
  type ImageBatch,
} from './images.js';
export { checkSchedule, flowSchedule } from './schedule.js';
export { estimateClean, flowMatchingLoss, noisyImages } from './rectified-flow.js';
export { denoisingError, type DenoisingErrorInput } from './denoising-error.js';
export {
  coarseToFineMinimum,
  type CoarseToFineOptions,
  type CoarseToFineResult,
  type SearchPoint,
} from './coarse-to-fine.js';
export { checkNoiseTable, findNoiseTable, identityNoiseTable, type NoiseTable } from './noise-table.js';
export {
  calibrateNoiseTable,
  DEFAULT_NOISE_SEARCH,
  type Calibration,
  type CalibrationOptions,
  type CalibrationStep,
} from './calibrate.js';
export { sampleImages, type SampleOptions } from './sampler.js';
export { frechetDistance, gaussianStatistics, symmetricSqrt, type GaussianStatistics } from './frechet.js';
