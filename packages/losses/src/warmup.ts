import { ArgumentError } from '@offramp/core';

/**
 * Exit weights of the JEI-DNN head warm-up, CE_L + sum_{l<L} (L - l) CE_l: earlier exits weigh more.
 * For exits 1..L that is [L-1, L-2, ..., 1, 1]; a single exit gets [1].
 */
export function warmupWeights(exits: number): number[] {
  if (!Number.isInteger(exits) || exits < 1) {
    throw new ArgumentError({ field: 'exits', expected: 'a whole number >= 1', received: String(exits) });
  }
  return Array.from({ length: exits }, (_, i) => (i === exits - 1 ? 1 : exits - 1 - i));
}
