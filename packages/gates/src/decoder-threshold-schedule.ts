import { ArgumentError } from '@offramp/core';
import { checkThreshold } from './whole-batch-similarity.js';

/**
 * MuE's decoder threshold at generation step t (0-based) of `steps` (ALGORITHMS.md section 6): 1 (no early exit,
 * a cosine reaches 1 only for an unchanged state) during the first third of the steps, t < floor(steps / 3);
 * then 0.9 tau + 0.1 exp(-(t + 1) / (steps + 1)), which decays towards 0.9 tau + 0.1 exp(-1) as t grows.
 */
export function decoderThreshold(tau: number, step: number, steps: number): number {
  checkThreshold(tau, 'tau');
  if (!Number.isInteger(steps) || steps < 1) {
    throw new ArgumentError({ field: 'steps', expected: 'a whole number >= 1', received: String(steps) });
  }
  if (!Number.isInteger(step) || step < 0 || step >= steps) {
    throw new ArgumentError({
      field: 'step',
      expected: `a whole number in [0, ${steps - 1}]`,
      received: String(step),
    });
  }
  if (step < Math.floor(steps / 3)) return 1;
  return 0.9 * tau + 0.1 * Math.exp(-(step + 1) / (steps + 1));
}

/** decoderThreshold for every step 0 .. steps - 1. */
export function decoderThresholdSchedule(tau: number, steps: number): Float64Array {
  return Float64Array.from({ length: steps }, (_, t) => decoderThreshold(tau, t, steps));
}
