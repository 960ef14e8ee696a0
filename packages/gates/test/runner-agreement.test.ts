import {
  collectTrace,
  computeExitCosts,
  createRng,
  evaluateTrace,
  type ExitCosts,
  type ExitResult,
  type Gate,
  GateRegistry,
  runEarlyExit,
  type ScoreRange,
  scoreTrace, createExitPolicy
} from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { registerBuiltinGates, ruleGates } from '../src/index.js';
import { createMlpEngine } from './mlp-engine.js';

const exits = 4;
const classes = 5;
const inputSize = 6;
const n = 130;

const engine = createMlpEngine({ seed: 7, inputSize, hiddenSize: 16, classes, exits });
const rng = createRng(11);
const input = Float32Array.from({ length: n * inputSize }, () => 2 * rng.next() - 1);
const registry = new GateRegistry();
registerBuiltinGates(registry);

function costsFor(gate: Gate): ExitCosts {
  return computeExitCosts({
    stageMacs: engine.stageMacs,
    headMacs: engine.headMacs,
    gateMacs: Array.from({ length: exits - 1 }, (_, l) => gate.macs(l)),
  });
}

/**
 * One threshold per gated exit: the median of that exit's scores, so about half of the samples
 * reaching it leave. When the median is the range minimum (every sample would leave, as with
 * patience at the first exit), the smallest score above it is used instead, else the range maximum.
 */
function medianThresholds(scores: readonly Float32Array[], range: ScoreRange): number[] {
  return scores.map((s) => {
    const sorted = Float64Array.from(s).sort();
    const median = sorted[Math.floor(sorted.length / 2)]!;
    if (median > range.min) return Math.min(median, range.max);
    const above = sorted.find((v) => v > range.min);
    return above === undefined ? range.max : Math.min(above, range.max);
  });
}

/** Runs real early exit over the inputs in consecutive batches of `batchSize` and joins the results. */
async function runInBatches(gate: Gate, thresholds: number[], costs: ExitCosts, batchSize: number) {
  const exit = new Int32Array(n);
  const prediction = new Int32Array(n);
  const probs = new Float32Array(n * classes);
  const cost = new Float64Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const chunk = input.subarray(start * inputSize, (start + count) * inputSize);
    const result: ExitResult = await runEarlyExit(engine, createExitPolicy({ gate, thresholds, costs }), chunk, count);
    exit.set(result.exit, start);
    prediction.set(result.prediction, start);
    probs.set(result.probs, start * classes);
    cost.set(result.cost, start);
  }
  return { exit, prediction, probs, cost };
}

describe('real early exit agrees with trace evaluation for every rule gate', () => {
  for (const plugin of ruleGates) {
    it(`${plugin.name}`, async () => {
      const gate = registry.create(plugin.name, { exits, classes });
      const costs = costsFor(gate);
      const trace = await collectTrace(engine, input, n, { batchSize: 32 });
      const thresholds = medianThresholds(scoreTrace(trace, gate, costs), gate.range);
      const expected = evaluateTrace(trace, gate, thresholds, costs);

      const used = new Set(expected.exit);
      expect(used.size).toBeGreaterThanOrEqual(3);

      for (const batchSize of [1, 5, 64]) {
        const real = await runInBatches(gate, thresholds, costs, batchSize);
        expect(real.exit).toEqual(expected.exit);
        expect(real.prediction).toEqual(expected.prediction);
        expect(real.probs).toEqual(expected.probs);
        expect(real.cost).toEqual(expected.cost);
      }
      expect(engine.live()).toBe(0);
    });
  }
});
