import { ArgumentError, checkWholeNumber } from '@offramp/core';

export interface CoarseToFineOptions {
  /** Search interval [lo, hi]. */
  readonly lo: number;
  readonly hi: number;
  /** Points of the first, evenly spaced grid over [lo, hi] (ends included); at least 2. */
  readonly coarse: number;
  /** Points of each refinement grid over [best - spacing, best + spacing]; at least 3. */
  readonly fine: number;
  /** Refinement rounds after the coarse grid; 0 keeps the coarse answer. */
  readonly rounds: number;
}

export interface SearchPoint {
  readonly x: number;
  readonly value: number;
}

export interface CoarseToFineResult {
  /** The point with the smallest value seen (the first one on ties). */
  readonly best: SearchPoint;
  /** Every evaluation, in order. */
  readonly evaluations: readonly SearchPoint[];
  /** Spacing of the last grid: the answer is within this of the grid minimum. */
  readonly resolution: number;
}

function checkOptions(options: CoarseToFineOptions): void {
  const { lo, hi } = options;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) {
    throw new ArgumentError({ field: 'hi', expected: `a finite number above lo (${lo})`, received: String(hi) });
  }
  checkWholeNumber(options.coarse, 2, 'coarse');
  checkWholeNumber(options.fine, 3, 'fine');
  checkWholeNumber(options.rounds, 0, 'rounds');
}

/**
 * Minimises a one-dimensional function by grid refinement: an evenly spaced grid of `coarse` points over
 * [lo, hi], then `rounds` times a grid of `fine` points over [best - h, best + h] (clipped to [lo, hi]),
 * h being the previous grid's spacing. Each point is evaluated once (values are cached by x).
 */
export async function coarseToFineMinimum(
  f: (x: number) => number | Promise<number>,
  options: CoarseToFineOptions,
): Promise<CoarseToFineResult> {
  checkOptions(options);
  const { lo, hi } = options;
  const seen = new Map<number, number>();
  const evaluations: SearchPoint[] = [];
  let best: SearchPoint | undefined;
  const visit = async (grid: number[]): Promise<void> => {
    for (const raw of grid) {
      const x = Math.min(hi, Math.max(lo, raw));
      if (seen.has(x)) continue;
      const value = await f(x);
      if (Number.isNaN(value)) throw new ArgumentError({ field: `f(${x})`, expected: 'a number', received: 'NaN' });
      seen.set(x, value);
      evaluations.push({ x, value });
      if (!best || value < best.value) best = { x, value };
    }
  };
  const evenly = (from: number, to: number, points: number): number[] =>
    Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
  let spacing = (hi - lo) / (options.coarse - 1);
  await visit(evenly(lo, hi, options.coarse));
  for (let round = 0; round < options.rounds; round++) {
    const centre = best!.x;
    await visit(evenly(centre - spacing, centre + spacing, options.fine));
    spacing = (2 * spacing) / (options.fine - 1);
  }
  return { best: best!, evaluations, resolution: spacing };
}
