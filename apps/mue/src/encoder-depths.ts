import type { EncoderDepths } from '@offramp/backbones';
import { checkWholeNumber, type Rng } from '@offramp/core';

/**
 * How the encoder feeds the decoder during training.
 * - `full`: both streams run every layer (MuE's plain recipe: the layer-wise loss covers the decoder only).
 * - `random-depth`: every batch draws a depth per stream, and the decoder reads the memory the streams give after
 *   that many layers, i.e. the memory an encoder exit at that depth would give at inference.
 * - `mixed-depth`: half of the batches (drawn at random) run every layer, the others draw random depths as above,
 *   so the full model keeps most of its training while every exit depth is trained too.
 */
export type EncoderRecipe = 'full' | 'random-depth' | 'mixed-depth';

export const ENCODER_RECIPES: readonly EncoderRecipe[] = ['full', 'random-depth', 'mixed-depth'];

/**
 * The encoder depths of one training batch: for `random-depth`, each stream's depth drawn independently and
 * uniformly from 1 .. layers (every depth, the full one included, with probability 1 / layers); for
 * `mixed-depth`, every layer with probability 1/2 and otherwise a `random-depth` draw; for `full`, every layer.
 * The draws come from `rng`, so a seeded generator gives the same depths on every run.
 */
export function sampleEncoderDepths(recipe: EncoderRecipe, rng: Rng, layers: number): EncoderDepths {
  checkWholeNumber(layers, 1, 'layers');
  const full = { image: layers, text: layers };
  if (recipe === 'full' || (recipe === 'mixed-depth' && rng.next() < 0.5)) return full;
  return { image: 1 + rng.int(layers), text: 1 + rng.int(layers) };
}
