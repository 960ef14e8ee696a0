import type { ExitCosts } from './cost.js';
import { ArgumentError } from './errors.js';

/** Per-sample outcome of running an early-exit network, in the order of the input. */
export interface ExitResult {
  readonly batch: number;
  readonly classes: number;
  readonly exits: number;
  /** Exit index (0-based) where each sample stopped. */
  readonly exit: Int32Array;
  readonly prediction: Int32Array;
  /** batch x classes probabilities at the exit taken. */
  readonly probs: Float32Array;
  readonly logits: Float32Array;
  /** Normalised cost c of the exit taken. */
  readonly cost: Float64Array;
  /** MACs of the exit taken. */
  readonly macs: Float64Array;
}

/** What a set of per-sample exits amounts to. */
export interface ExitSummary {
  readonly samples: number;
  /** Fraction correct, when labels are given. */
  readonly accuracy: number | null;
  readonly meanCost: number;
  readonly meanMacs: number;
  readonly meanCostVsBackbone: number;
  /** How many samples left at each exit. */
  readonly exitCounts: readonly number[];
}

export function summarizeExits(
  result: Pick<ExitResult, 'exit' | 'prediction'>,
  costs: ExitCosts,
  labels?: Int32Array,
): ExitSummary {
  const n = result.exit.length;
  if (labels && labels.length !== n) {
    throw new ArgumentError({ field: 'labels.length', expected: String(n), received: String(labels.length) });
  }
  const exitCounts = new Array<number>(costs.exits).fill(0);
  let correct = 0;
  let cost = 0;
  let macs = 0;
  let vsBackbone = 0;
  for (let i = 0; i < n; i++) {
    const e = result.exit[i]!;
    exitCounts[e]! += 1;
    cost += costs.normalized[e]!;
    macs += costs.cumulativeMacs[e]!;
    vsBackbone += costs.relativeToBackbone[e]!;
    if (labels && result.prediction[i] === labels[i]) correct++;
  }
  return {
    samples: n,
    accuracy: labels ? correct / n : null,
    meanCost: cost / n,
    meanMacs: macs / n,
    meanCostVsBackbone: vsBackbone / n,
    exitCounts,
  };
}
