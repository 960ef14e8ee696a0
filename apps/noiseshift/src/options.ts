import type { CoarseToFineOptions } from '@offramp/diffusion';

/** Everything a NoiseShift run depends on. */
export interface NoiseShiftOptions {
  /** Side the denoiser is trained at (MNIST's 28x28 digits padded to 32x32, then area-downsampled if smaller). */
  readonly native: number;
  /** Sides the denoiser is sampled and evaluated at, the native one first. */
  readonly resolutions: readonly number[];
  /** Images of the split (MNIST digits: 10,000 in all). */
  readonly split: { readonly train: number; readonly validation: number; readonly test: number };
  /** UNet widths at full and half resolution, and the noise-level embedding size. */
  readonly widths: readonly [number, number];
  readonly embedding: number;
  /** Epochs of the native-resolution denoiser over the training images. */
  readonly epochs: number;
  /** Epochs of the control denoiser; each batch at one of the resolutions in turn. */
  readonly controlEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs of each per-resolution digit classifier (the feature extractor of the Frechet distance). */
  readonly classifierEpochs: number;
  /** Size of the classifiers' feature layer (the Frechet distance's dimension). */
  readonly featureSize: number;
  /** Euler steps of the sampler. */
  readonly steps: number;
  /** Sampling / noise seeds: every metric is reported per seed and as mean and spread. */
  readonly seeds: readonly number[];
  /** Images generated per seed and setting. */
  readonly samples: number;
  /** Validation images the tables are calibrated on. */
  readonly calibrationImages: number;
  /** Separate (test) images the denoising error is measured on. */
  readonly errorImages: number;
  readonly search: Omit<CoarseToFineOptions, 'lo' | 'hi'>;
  /** Seed of the split, the initial weights and the shuffling. */
  readonly seed: number;
  /** Calibrate again even when tables for this model and these settings are cached. */
  readonly recalibrate: boolean;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly log: (line: string) => void;
}

export const DEFAULT_NOISESHIFT_OPTIONS = {
  native: 32,
  resolutions: [32, 16, 8],
  split: { train: 7000, validation: 1000, test: 2000 },
  widths: [16, 32],
  embedding: 32,
  epochs: 6,
  controlEpochs: 6,
  batchSize: 64,
  learningRate: 2e-3,
  classifierEpochs: 4,
  featureSize: 32,
  steps: 10,
  seeds: [1, 2, 3],
  samples: 300,
  calibrationImages: 128,
  errorImages: 256,
  search: { coarse: 11, fine: 5, rounds: 2 },
  seed: 7,
  recalibrate: false,
} as const satisfies Omit<NoiseShiftOptions, 'cacheDir' | 'outDir' | 'progress' | 'log'>;
