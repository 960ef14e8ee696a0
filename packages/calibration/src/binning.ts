import { ArgumentError } from '@offramp/core';
import { checkInteger } from './probs-input.js';

export type Binning = 'width' | 'mass';

export interface BinningOptions {
  /** Number of bins. Default 15. */
  readonly bins?: number;
  /** 'width': equal-width bins (lower, upper] over [0, 1] (the default); 'mass': equal counts of sorted confidences. */
  readonly binning?: Binning;
}

/** One bin of a reliability diagram. Accuracy and confidence are the bin's means. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly accuracy: number;
  readonly confidence: number;
}

/** Per-bin accuracy vs confidence; `ece` and `mce` are computed from the same bins. */
export interface ReliabilityDiagram {
  /** The non-empty bins, in increasing confidence. */
  readonly bins: ReliabilityBin[];
  readonly ece: number;
  readonly mce: number;
}

export const DEFAULT_BINS = 15;

export function resolveBinning(options: BinningOptions = {}): { bins: number; binning: Binning } {
  const bins = options.bins ?? DEFAULT_BINS;
  checkInteger(bins, 'options.bins', 1);
  const binning = options.binning ?? 'width';
  if (binning !== 'width' && binning !== 'mass') {
    throw new ArgumentError({ field: 'options.binning', expected: "'width' or 'mass'", received: String(binning) });
  }
  return { bins, binning };
}

/** The equal-width bin of a confidence: bin m holds (m / bins, (m + 1) / bins]; 0 falls in the first. */
export function widthBinOf(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
}

/** Per-bin sums from which a diagram is made. */
export interface BinSums {
  readonly lower: number;
  readonly upper: number;
  count: number;
  confidence: number;
  correct: number;
}

export function emptyWidthSums(bins: number): BinSums[] {
  return Array.from({ length: bins }, (_, m) => ({
    lower: m / bins,
    upper: (m + 1) / bins,
    count: 0,
    confidence: 0,
    correct: 0,
  }));
}

export function addToWidthSums(sums: BinSums[], confidence: ArrayLike<number>, correct: ArrayLike<number>): void {
  for (let i = 0; i < confidence.length; i++) {
    const bin = sums[widthBinOf(confidence[i]!, sums.length)]!;
    bin.count += 1;
    bin.confidence += confidence[i]!;
    bin.correct += correct[i]!;
  }
}

/**
 * Equal-mass bins: the confidences sorted (ties by sample order) and cut by rank into `bins` groups
 * of floor / ceil(n / bins). A bin spans (previous bin's largest confidence, its own largest].
 */
export function massSums(confidence: ArrayLike<number>, correct: ArrayLike<number>, bins: number): BinSums[] {
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]! || a - b);
  const sums: BinSums[] = [];
  let lower = 0;
  for (let m = 0; m < bins; m++) {
    const from = Math.floor((m * n) / bins);
    const to = Math.floor(((m + 1) * n) / bins);
    if (to === from) continue;
    let conf = 0;
    let right = 0;
    for (let k = from; k < to; k++) {
      conf += confidence[order[k]!]!;
      right += correct[order[k]!]!;
    }
    const upper = confidence[order[to - 1]!]!;
    sums.push({ lower, upper, count: to - from, confidence: conf, correct: right });
    lower = upper;
  }
  return sums;
}

/** Turns bin sums into a diagram: ECE = sum_m |B_m|/n |acc - conf|, MCE = max_m |acc - conf|. */
export function diagramFromSums(sums: readonly BinSums[]): ReliabilityDiagram {
  const n = sums.reduce((a, s) => a + s.count, 0);
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  let mce = 0;
  for (const s of sums) {
    if (s.count === 0) continue;
    const accuracy = s.correct / s.count;
    const confidence = s.confidence / s.count;
    const gap = Math.abs(accuracy - confidence);
    ece += (s.count / n) * gap;
    mce = Math.max(mce, gap);
    bins.push({ lower: s.lower, upper: s.upper, count: s.count, accuracy, confidence });
  }
  return { bins, ece, mce };
}
