import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  computeExitCosts,
  CountMismatchError,
  oracleExits,
  summarizeExits,
  type Trace,
} from '../src/index.js';

describe('computeExitCosts', () => {
  const costs = computeExitCosts({ stageMacs: [100, 200, 300], headMacs: [10, 20, 30], gateMacs: [4, 5] });
  it('accumulates stages, heads and gates up to each exit', () => {
    // 100+10+4 = 114; 114+200+20+5 = 339; 339+300+30 = 669 (no gate at the last exit)
    expect(costs.cumulativeMacs).toEqual([114, 339, 669]);
    expect(costs.gateMacs).toEqual([4, 5, 0]);
  });
  it('normalises by the full model with every head and gate', () => {
    expect(costs.normalized[0]).toBeCloseTo(114 / 669, 12);
    expect(costs.normalized[1]).toBeCloseTo(339 / 669, 12);
    expect(costs.normalized[2]).toBe(1);
  });
  it('also reports cost relative to the plain backbone with its final head', () => {
    expect(costs.backboneMacs).toBe(630);
    expect(costs.relativeToBackbone.map((c) => c * 630)).toEqual([114, 339, 669].map((m) => expect.closeTo(m, 9)));
  });
  it('rejects bad tables with typed errors', () => {
    expect(() => computeExitCosts({ stageMacs: [1, 2], headMacs: [1] })).toThrow(CountMismatchError);
    expect(() => computeExitCosts({ stageMacs: [1, -2], headMacs: [1, 1] })).toThrow(/stageMacs\[1\]/);
    expect(() => computeExitCosts({ stageMacs: [], headMacs: [] })).toThrow(ArgumentError);
    expect(() => computeExitCosts({ stageMacs: [1, 2], headMacs: [1, 1], gateMacs: [1, 2, 3] })).toThrow(
      /gateMacs: expected 1 or 2 entries, received 3/,
    );
  });
});

/** Three samples, three exits, two classes, probabilities chosen by hand. */
const trace: Trace = {
  n: 3,
  exits: 3,
  classes: 2,
  logits: [new Float32Array(6), new Float32Array(6), new Float32Array(6)],
  probs: [
    Float32Array.from([0.9, 0.1, 0.4, 0.6, 0.3, 0.7]), // predicts 0, 1, 1
    Float32Array.from([0.8, 0.2, 0.7, 0.3, 0.4, 0.6]), // predicts 0, 0, 1
    Float32Array.from([0.6, 0.4, 0.9, 0.1, 0.45, 0.55]), // predicts 0, 0, 1
  ],
};

describe('oracle policy', () => {
  it('exits at the first correct head, else at the last', () => {
    // labels: sample 0 -> 0 (correct at exit 0), sample 1 -> 0 (first correct at exit 1), sample 2 -> 0 (never)
    expect(Array.from(oracleExits(trace, Int32Array.from([0, 0, 0])))).toEqual([0, 1, 2]);
  });
  it('summarises accuracy and cost of a set of exits', () => {
    const costs = computeExitCosts({ stageMacs: [1, 1, 1], headMacs: [0, 0, 1] });
    const summary = summarizeExits(
      { exit: Int32Array.from([0, 1, 2]), prediction: Int32Array.from([0, 0, 1]) },
      costs,
      Int32Array.from([0, 0, 0]),
    );
    expect(summary.accuracy).toBeCloseTo(2 / 3, 12);
    // cumulative MACs 1, 2, 4 of 4
    expect(summary.meanMacs).toBeCloseTo(7 / 3, 12);
    expect(summary.meanCost).toBeCloseTo(7 / 12, 12);
    expect(summary.exitCounts).toEqual([1, 1, 1]);
  });
  it('rejects labels of the wrong length', () => {
    expect(() => oracleExits(trace, Int32Array.from([0]))).toThrow(/labels.length: expected 3, received 1/);
  });
});
