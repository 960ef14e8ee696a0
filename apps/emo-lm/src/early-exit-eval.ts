import type { TransformerLm } from '@offramp/backbones';
import type { Gate } from '@offramp/core';
import { tokenExitPolicy } from '@offramp/sequence';
import { compareDecoding, type DecodeRun } from './decode-run.js';
import { matchedThreshold, type Sweep, type SweepPoint, sweepThresholds } from './threshold-sweep.js';
import type { Windows } from './windows.js';

export interface EarlyExitResult {
  /** The sweep on validation windows (real early exit at each threshold and exit set). */
  readonly sweep: Sweep;
  /** The cheapest point within the tolerance on validation; undefined when none is. */
  readonly chosen: SweepPoint | undefined;
  /** Test windows, full model and early exit decoded in one run (only with a chosen point). */
  readonly test?: { readonly full: DecodeRun; readonly early: DecodeRun };
}

/** Picks the matched-perplexity operating point on validation and measures decoding on test with it. */
export async function evaluateEarlyExit(
  lm: TransformerLm,
  gate: Gate,
  validation: Windows,
  test: Windows,
  thresholds: readonly number[],
  tolerance: number,
): Promise<EarlyExitResult> {
  const sweep = await sweepThresholds(lm, validation, gate, thresholds);
  const chosen = matchedThreshold(sweep, tolerance);
  if (!chosen) return { sweep, chosen: undefined };
  const measured = await compareDecoding(lm, test, tokenExitPolicy(lm, gate, chosen.thresholds));
  return { sweep, chosen, test: measured };
}
