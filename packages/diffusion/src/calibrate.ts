import { createRng } from '@offramp/core';
import { type CoarseToFineOptions, coarseToFineMinimum, type SearchPoint } from './coarse-to-fine.js';
import type { Denoiser } from './denoiser.js';
import { denoisingError } from './denoising-error.js';
import { gaussianNoise } from './gaussian.js';
import { checkImageBatch, type ImageBatch } from './images.js';
import { checkNoiseTable, type NoiseTable } from './noise-table.js';
import { checkSchedule } from './schedule.js';

/** Default search: 11 levels 0, 0.1, .., 1, then two rounds of 5 around the best (final spacing 0.025). */
export const DEFAULT_NOISE_SEARCH: Omit<CoarseToFineOptions, 'lo' | 'hi'> = Object.freeze({ coarse: 11, fine: 5, rounds: 2 });

export interface CalibrationOptions {
  /** Held-out clean images in [-1, 1] at the resolution being calibrated. */
  readonly images: ImageBatch;
  /** The sampler's levels t_0 > ... > t_K. */
  readonly schedule: ArrayLike<number>;
  /** Seed of the noise drawn per step (the same noise for every candidate level of a step). */
  readonly seed: number;
  /** Grid sizes of the search over [0, 1]; default DEFAULT_NOISE_SEARCH. */
  readonly search?: Omit<CoarseToFineOptions, 'lo' | 'hi'>;
  /** Images per forward pass; default 256. */
  readonly batchSize?: number;
  /** Called after each step with its search. */
  readonly onStep?: (step: number, detail: CalibrationStep) => void;
}

export interface CalibrationStep {
  readonly level: number;
  readonly calibrated: number;
  /** Denoising error conditioned on the scheduled level and on the calibrated one. */
  readonly errorAtScheduled: number;
  readonly errorAtCalibrated: number;
  readonly evaluations: readonly SearchPoint[];
}

export interface Calibration {
  readonly table: NoiseTable;
  readonly steps: readonly CalibrationStep[];
}

/**
 * NoiseShift calibration (a reconstruction): for each sampler step k, the held-out images are noised at the
 * scheduled level t_k and the conditioning level s in [0, 1] minimising the denoising error
 * (see denoisingError) is found by a coarse-to-fine grid search. The result is the table s_k for this
 * resolution.
 */
export async function calibrateNoiseTable(denoiser: Denoiser, options: CalibrationOptions): Promise<Calibration> {
  const { images } = options;
  checkImageBatch(images);
  checkSchedule(options.schedule);
  const schedule = Array.from(options.schedule);
  const search = { lo: 0, hi: 1, ...(options.search ?? DEFAULT_NOISE_SEARCH) };
  const steps: CalibrationStep[] = [];
  for (let k = 0; k < schedule.length - 1; k++) {
    const level = schedule[k]!;
    const noise = gaussianNoise(createRng(options.seed + 7919 * k), images.pixels.length);
    const error = (s: number): Promise<number> =>
      denoisingError(denoiser, { clean: images, noise, level, conditioning: s, batchSize: options.batchSize });
    const result = await coarseToFineMinimum(error, search);
    const errorAtScheduled = await error(level);
    const detail: CalibrationStep = {
      level,
      calibrated: result.best.value <= errorAtScheduled ? result.best.x : level,
      errorAtScheduled,
      errorAtCalibrated: Math.min(result.best.value, errorAtScheduled),
      evaluations: result.evaluations,
    };
    steps.push(detail);
    options.onStep?.(k, detail);
  }
  const table = checkNoiseTable({ resolution: images.size, schedule, levels: steps.map((s) => s.calibrated) });
  return { table, steps };
}
