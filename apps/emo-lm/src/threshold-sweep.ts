import type { TransformerLm } from '@offramp/backbones';
import type { Gate } from '@offramp/core';
import { tokenExitPolicy } from '@offramp/sequence';
import { type DecodeRun, decodeWindows } from './decode-run.js';
import type { Windows } from './windows.js';

/** Which exits may be taken: every exit with one shared threshold, or only the first (the others are skipped). */
export type ExitSet = 'all exits' | 'first exit only';

export interface SweepPoint {
  readonly exitSet: ExitSet;
  readonly threshold: number;
  /** Thresholds per exit before the last (+Infinity: the exit is not computed). */
  readonly thresholds: readonly number[];
  readonly run: DecodeRun;
  /** MACs per token relative to the full model's decoding. */
  readonly relativeMacs: number;
}

export interface Sweep {
  readonly full: DecodeRun;
  readonly points: readonly SweepPoint[];
}

/** Thresholds per exit before the last for an exit set and a threshold. */
export function exitThresholds(exitSet: ExitSet, threshold: number, exits: number): number[] {
  return Array.from({ length: exits - 1 }, (_, l) =>
    exitSet === 'all exits' || l === 0 ? threshold : Number.POSITIVE_INFINITY,
  );
}

/** Real early-exit decoding of the windows at every threshold and exit set, and the full model. */
export async function sweepThresholds(
  lm: TransformerLm,
  windows: Windows,
  gate: Gate,
  thresholds: readonly number[],
  exitSets: readonly ExitSet[] = ['all exits', 'first exit only'],
): Promise<Sweep> {
  const full = await decodeWindows(lm, windows);
  const points: SweepPoint[] = [];
  for (const exitSet of exitSets) {
    for (const threshold of thresholds) {
      const perExit = exitThresholds(exitSet, threshold, lm.layers);
      const run = await decodeWindows(lm, windows, tokenExitPolicy(lm, gate, perExit));
      points.push({ exitSet, threshold, thresholds: perExit, run, relativeMacs: run.macsPerToken / full.macsPerToken });
    }
  }
  return { full, points };
}

/**
 * The cheapest point whose perplexity is within `tolerance` (relative) of the full model's; undefined when none is.
 */
export function matchedThreshold(sweep: Sweep, tolerance: number): SweepPoint | undefined {
  const limit = sweep.full.perplexity * (1 + tolerance);
  return sweep.points
    .filter((p) => p.run.perplexity <= limit)
    .reduce<SweepPoint | undefined>((best, p) => (!best || p.run.macsPerToken < best.run.macsPerToken ? p : best), undefined);
}
