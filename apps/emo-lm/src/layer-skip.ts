import { ArgumentError } from '@offramp/core';

/**
 * LayerSkip-style training options (Elhoushi et al. 2024): layer dropout whose rate grows with depth, and how the
 * exits' losses are weighted. Without them every exit's loss counts the same and no layer is dropped.
 */
export interface LayerSkipOptions {
  /** p_max: the dropout rate of the last layer; layer l is skipped per sample with p_max (e^(l ln 2 / (L - 1)) - 1). */
  readonly layerDropout: number;
  /**
   * 'uniform': the mean of every exit's loss. 'layerskip': exit l < L - 1 weighted e_scale (0 + 1 + ... + l), the
   * last exit L - 1 + e_scale (0 + ... + L - 2), normalised to sum to 1 (so later exits weigh more).
   */
  readonly exitWeights: 'uniform' | 'layerskip';
  /** e_scale of the 'layerskip' weights. */
  readonly exitScale: number;
  /**
   * Weight of self-distillation in fine-tuning: every exit but the last also learns the last exit's distribution,
   * w * mean over exits l < L - 1 of KL(sg(p_L) || p_l), so that drafts agree with the full model (0: off).
   */
  readonly exitDistillation?: number;
}

export const NO_LAYER_SKIP: LayerSkipOptions = { layerDropout: 0, exitWeights: 'uniform', exitScale: 1 };

/** The dropout rate of each of `layers` layers: 0 for the first, p_max for the last, growing exponentially between. */
export function layerDropoutRates(layers: number, pMax: number): number[] {
  if (!(pMax >= 0 && pMax < 1)) throw new ArgumentError({ field: 'layerDropout', expected: 'a rate in [0, 1)', received: String(pMax) });
  if (layers === 1) return [0];
  return Array.from({ length: layers }, (_, l) => pMax * (Math.exp((l * Math.LN2) / (layers - 1)) - 1));
}

/** The weight of each exit's loss (they sum to 1). */
export function exitLossWeights(layers: number, options: Pick<LayerSkipOptions, 'exitWeights' | 'exitScale'>): number[] {
  if (options.exitWeights === 'uniform' || layers === 1) return Array.from({ length: layers }, () => 1 / layers);
  if (!(options.exitScale >= 0)) throw new ArgumentError({ field: 'exitScale', expected: 'a number >= 0', received: String(options.exitScale) });
  const triangle = (l: number) => (l * (l + 1)) / 2;
  const raw = Array.from({ length: layers }, (_, l) =>
    l < layers - 1 ? options.exitScale * triangle(l) : layers - 1 + options.exitScale * triangle(layers - 2),
  );
  const total = raw.reduce((s, w) => s + w, 0);
  return raw.map((w) => w / total);
}
