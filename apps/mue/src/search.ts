import type { TwoStreamModel } from '@offramp/backbones';
import { chooseOperatingPoint, sweepThresholds, type ThresholdCurve, type ThresholdPoint } from '@offramp/calibration';
import { computeExitCosts, type Gate } from '@offramp/core';
import type { VisionLanguageSet } from '@offramp/data';
import { entailmentDecoderTrace, oneStepDecoderMacs } from './decoder-trace.js';
import type { Thresholds } from './options.js';
import { evaluatePolicy, memoryFor } from './policy.js';
import type { SetTraces } from './streams.js';

/** A threshold that never exits (a cosine is at most 1). */
export const NEVER = 2;

/** One searched setting of the three thresholds and what it gave on the validation set. */
export interface SearchPoint {
  readonly thresholds: Thresholds;
  readonly score: number;
  readonly macs: number;
}

export interface SearchResult {
  readonly fullScore: number;
  readonly fullMacs: number;
  /** Every setting tried (the curve of the plot). */
  readonly points: SearchPoint[];
  /** The cheapest setting keeping `keep` of the full model's score, or null when none does. */
  readonly chosen: SearchPoint | null;
}

/** Distinct quantiles of the cosines a stream gives at its gated layers, plus NEVER. */
export function candidateThresholds(cosines: readonly Float32Array[], quantiles: readonly number[]): number[] {
  const pooled: number[] = [];
  for (const layer of cosines) for (const c of layer) pooled.push(c);
  pooled.sort((a, b) => a - b);
  const values = new Set<number>([NEVER]);
  for (const q of quantiles) values.add(pooled[Math.min(pooled.length - 1, Math.floor(q * pooled.length))]!);
  return [...values].sort((a, b) => a - b);
}

/** Calibration's operating-point choice over the searched settings (cost = MACs relative to the full model). */
function choose(points: SearchPoint[], fullScore: number, fullMacs: number, keep: number): SearchPoint | null {
  const asPoints: ThresholdPoint[] = points.map((p, i) => ({
    threshold: i,
    fullModel: false,
    accuracy: p.score,
    meanCost: p.macs / fullMacs,
    meanMacs: p.macs,
    meanCostVsBackbone: p.macs / fullMacs,
    exitCounts: [],
  }));
  const curve: ThresholdCurve = { gate: 'similarity', points: asPoints };
  const chosen = chooseOperatingPoint(curve, { reference: fullScore, maxDrop: (1 - keep) * fullScore });
  return chosen ? points[chosen.threshold]! : null;
}

function gatedCosines(traces: SetTraces, stream: 'image' | 'text', layers: number): Float32Array[] {
  return traces[stream].cosines.slice(0, layers - 1) as Float32Array[];
}

/**
 * Entailment: for every pair of stream thresholds (quantiles of the validation cosines), the one-step decoder is
 * traced once and calibration's sweepThresholds evaluates every decoder threshold on it; the total MACs of each
 * point are counted exactly from its exits. chooseOperatingPoint then picks the cheapest that keeps `keep`.
 */
export async function searchEntailment(
  model: TwoStreamModel,
  set: VisionLanguageSet,
  traces: SetTraces,
  gate: Gate,
  keep: number,
  full: { score: number; macs: number },
): Promise<SearchResult> {
  const layers = model.options.encoderLayers;
  const decoderLayers = model.options.decoderLayers;
  // quantile 0 (the smallest cosine) sends every sample out after the stream's first layer
  const quantiles = [0, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.65, 0.8, 0.9];
  const imageCandidates = candidateThresholds(gatedCosines(traces, 'image', layers), quantiles);
  const textCandidates = candidateThresholds(gatedCosines(traces, 'text', layers), quantiles);
  const decoderMacs = Array.from({ length: decoderLayers }, (_, l) => oneStepDecoderMacs(model, l));
  // the sweep ranks points by these per-exit costs; the totals below are recounted exactly
  const costs = computeExitCosts({ stageMacs: decoderMacs.map((m, l) => (l === 0 ? m : m - decoderMacs[l - 1]!)), headMacs: new Array(decoderLayers).fill(0) });
  const points: SearchPoint[] = [];
  for (const image of imageCandidates) {
    for (const text of textCandidates) {
      const m = memoryFor(model, set, traces, gate, { image, text, decoder: NEVER });
      const encoderMacs = (sum(m.image.macs) + sum(m.text.macs)) / set.n;
      const trace = await entailmentDecoderTrace(model, m.memory);
      const curve = sweepThresholds(trace, gate, costs, set.labels, { candidates: 12 });
      for (const point of curve.points) {
        const decoder = point.fullModel ? NEVER : point.threshold;
        const macs = point.exitCounts.reduce((s, count, l) => s + count * decoderMacs[l]!, 0) / set.n;
        points.push({ thresholds: { image, text, decoder }, score: point.accuracy, macs: encoderMacs + macs });
      }
    }
  }
  return { fullScore: full.score, fullMacs: full.macs, points, chosen: choose(points, full.score, full.macs, keep) };
}

/**
 * Captioning: a grid of stream thresholds (quantiles of the validation cosines) and decoder thresholds (tau of
 * MuE's schedule), each decoded in full on the validation set (decoding with exits changes later steps, so no
 * trace can stand in); chooseOperatingPoint picks the cheapest setting that keeps `keep`.
 */
export async function searchCaption(
  model: TwoStreamModel,
  set: VisionLanguageSet,
  traces: SetTraces,
  gate: Gate,
  keep: number,
  full: { score: number; macs: number },
  decoderCandidates: readonly number[] = [0, 0.5, 0.7, 0.8, 0.9, 0.95, NEVER],
): Promise<SearchResult> {
  const layers = model.options.encoderLayers;
  const imageCandidates = candidateThresholds(gatedCosines(traces, 'image', layers), [0, 0.15, 0.35, 0.6]);
  // the captioning prompt is the same for every sample: its cosines take one value per layer
  const textCandidates = candidateThresholds(gatedCosines(traces, 'text', layers), [0.2, 0.5, 0.9]);
  const points: SearchPoint[] = [];
  for (const image of imageCandidates) {
    for (const text of textCandidates) {
      const memory = memoryFor(model, set, traces, gate, { image, text, decoder: NEVER });
      for (const decoder of decoderCandidates) {
        const thresholds = { image, text, decoder };
        const result = await evaluatePolicy(model, set, traces, gate, thresholds, memory);
        points.push({ thresholds, score: result.score, macs: result.macs.total });
      }
    }
  }
  return { fullScore: full.score, fullMacs: full.macs, points, chosen: choose(points, full.score, full.macs, keep) };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
