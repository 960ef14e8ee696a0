import { createRng } from '@offramp/core';
import {
  type Denoiser,
  denoisingError,
  findNoiseTable,
  flowSchedule,
  frechetDistance,
  type GaussianStatistics,
  gaussianNoise,
  type ImageBatch,
  type NoiseTable,
  sampleImages,
  takeImages,
} from '@offramp/diffusion';
import { classify, type DigitClassifier, featureStatistics } from './classifier.js';
import type { LabelledImages } from './data.js';
import type { NoiseShiftOptions } from './options.js';

export type Mode = 'scheduled' | 'noiseshift';

/** The metrics of one denoiser at one side with one conditioning mode, per seed. */
export interface SettingResult {
  readonly model: string;
  readonly side: number;
  readonly mode: Mode;
  /** Frechet distance between generated and real test images in the classifier's features, per seed. */
  readonly frechet: number[];
  /** Mean over steps of the denoising error (MSE per pixel, [-1, 1] scale) on held-out test images, per seed. */
  readonly denoisingError: number[];
  /** The same per step, averaged over seeds. */
  readonly errorPerStep: number[];
  /** Mean pixel value of the generated images on a 0 (background) .. 1 (ink) scale, per seed. */
  readonly ink: number[];
  /** Share of generated images per predicted digit (pooled over seeds): a collapse shows as a peak. */
  readonly digitShares: number[];
  /** The first generated images of the first seed, for the grids. */
  readonly preview: ImageBatch;
}

export interface Evaluator {
  readonly classifier: DigitClassifier;
  /** Statistics of the real test images at this side. */
  readonly real: GaussianStatistics;
  /** Held-out test images for the denoising error. */
  readonly held: ImageBatch;
  /** Mean ink of the real test images (see meanInk). */
  readonly realInk: number;
}

/** Mean pixel value on a 0 (background) .. 1 (full ink) scale, images in [-1, 1] clipped first. */
export function meanInk(images: ImageBatch): number {
  let sum = 0;
  for (const v of images.pixels) sum += Math.min(1, Math.max(0, (v + 1) / 2));
  return sum / images.pixels.length;
}

/** Evaluation context at one side: the real test statistics and the held-out images. */
export function evaluatorAt(classifier: DigitClassifier, test: LabelledImages, o: NoiseShiftOptions): Evaluator {
  const rows = Array.from({ length: Math.min(o.errorImages, test.images.n) }, (_, i) => i);
  return { classifier, real: featureStatistics(classifier, test.images), held: takeImages(test.images, rows), realInk: meanInk(test.images) };
}

/** Frechet distance of `count` real validation images to the test set: the floor a perfect generator would get. */
export function realFloor(evaluator: Evaluator, validation: LabelledImages, count: number): number {
  const rows = Array.from({ length: Math.min(count, validation.images.n) }, (_, i) => i);
  return frechetDistance(featureStatistics(evaluator.classifier, takeImages(validation.images, rows)), evaluator.real);
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Samples with every seed (the same starting noise in both modes) and measures the Frechet distance and the
 * held-out denoising error at the scheduled levels, conditioned as the mode says.
 */
export async function evaluateSetting(
  denoiser: Denoiser,
  tables: readonly NoiseTable[],
  evaluator: Evaluator,
  mode: Mode,
  o: NoiseShiftOptions,
  onSeed?: () => void,
): Promise<SettingResult> {
  const side = evaluator.held.size;
  const schedule = flowSchedule(o.steps);
  const table = mode === 'noiseshift' ? findNoiseTable(tables, side) : undefined;
  const conditioning = table ? table.levels : Array.from(schedule.slice(0, -1));
  const frechet: number[] = [];
  const errors: number[] = [];
  const ink: number[] = [];
  const perStep = new Array<number>(o.steps).fill(0);
  const counts = new Array<number>(10).fill(0);
  let preview: ImageBatch | undefined;
  for (const seed of o.seeds) {
    const generated = await sampleImages(denoiser, { size: side, count: o.samples, schedule, table, seed: seed * 1000 + side });
    frechet.push(frechetDistance(featureStatistics(evaluator.classifier, generated), evaluator.real));
    ink.push(meanInk(generated));
    for (const digit of classify(evaluator.classifier, generated)) counts[digit]! += 1;
    preview ??= takeImages(generated, Array.from({ length: Math.min(64, generated.n) }, (_, i) => i));
    const stepErrors: number[] = [];
    for (let k = 0; k < o.steps; k++) {
      const noise = gaussianNoise(createRng(seed * 7919 + k * 31 + side), evaluator.held.pixels.length);
      const error = await denoisingError(denoiser, { clean: evaluator.held, noise, level: schedule[k]!, conditioning: conditioning[k] });
      stepErrors.push(error);
      perStep[k]! += error / o.seeds.length;
    }
    errors.push(mean(stepErrors));
    onSeed?.();
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    model: denoiser.name,
    side,
    mode,
    frechet,
    denoisingError: errors,
    errorPerStep: perStep,
    ink,
    digitShares: counts.map((c) => c / total),
    preview: preview!,
  };
}
