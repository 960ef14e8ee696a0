import type { EncoderDepths } from '@offramp/backbones';
import { ArgumentError, checkWholeNumber, type Rng } from '@offramp/core';

/**
 * How the encoder feeds the decoder during training.
 * - `full`: both streams run every layer (MuE's plain recipe: the layer-wise loss covers the decoder only).
 * - `random-depth`: every batch draws a depth per stream, and the decoder reads the memory the streams give after
 *   that many layers, i.e. the memory an encoder exit at that depth would give at inference.
 * - `mixed-depth`: half of the batches (drawn at random) run every layer, the others draw random depths as above,
 *   so the full model keeps most of its training while every exit depth is trained too.
 * - `mixed-shallow-image`: as `mixed-depth`, but in the random-depth half the image stream draws depth 2 more often
 *   (weights SHALLOW_IMAGE_DEPTH_WEIGHTS), so the decoder learns to read the image after 2 layers.
 */
export type EncoderRecipe = 'full' | 'random-depth' | 'mixed-depth' | 'mixed-shallow-image';

export const ENCODER_RECIPES: readonly EncoderRecipe[] = ['full', 'random-depth', 'mixed-depth', 'mixed-shallow-image'];

/** Image depth weights (depths 1, 2, 3, 4, ...) of the random-depth half of `mixed-shallow-image`. */
export const SHALLOW_IMAGE_DEPTH_WEIGHTS: readonly number[] = [1, 4, 1, 1];

/**
 * A depth in 1 .. weights.length drawn with probability weights[d - 1] / sum(weights). Weights must be finite,
 * non-negative and not all zero.
 */
export function drawDepth(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  weights.forEach((w, i) => {
    if (!Number.isFinite(w) || w < 0) throw new ArgumentError({ field: `weights[${i}]`, expected: 'a finite number >= 0', received: String(w) });
  });
  if (!(total > 0)) throw new ArgumentError({ field: 'weights', expected: 'weights with a positive sum', received: `[${weights.join(', ')}]` });
  let u = rng.next() * total;
  for (let d = 0; d < weights.length; d++) {
    u -= weights[d]!;
    if (u < 0) return d + 1;
  }
  // rounding: the last depth with a positive weight
  for (let d = weights.length - 1; d >= 0; d--) if (weights[d]! > 0) return d + 1;
  return weights.length;
}

/**
 * The encoder depths of one training batch: for `random-depth`, each stream's depth drawn independently and
 * uniformly from 1 .. layers (every depth, the full one included, with probability 1 / layers); for
 * `mixed-depth`, every layer with probability 1/2 and otherwise a `random-depth` draw; for `mixed-shallow-image`,
 * the same with the image depth of the random half drawn by SHALLOW_IMAGE_DEPTH_WEIGHTS (padded with weight 1 or
 * cut to `layers`); for `full`, every layer. The draws come from `rng`, so a seeded generator gives the same
 * depths on every run.
 */
export function sampleEncoderDepths(recipe: EncoderRecipe, rng: Rng, layers: number): EncoderDepths {
  checkWholeNumber(layers, 1, 'layers');
  const full = { image: layers, text: layers };
  if (recipe === 'full' || ((recipe === 'mixed-depth' || recipe === 'mixed-shallow-image') && rng.next() < 0.5)) return full;
  if (recipe === 'mixed-shallow-image') {
    const weights = Array.from({ length: layers }, (_, d) => SHALLOW_IMAGE_DEPTH_WEIGHTS[d] ?? 1);
    return { image: drawDepth(rng, weights), text: 1 + rng.int(layers) };
  }
  return { image: 1 + rng.int(layers), text: 1 + rng.int(layers) };
}
