import {
  computeExitCosts,
  CountMismatchError,
  evaluateTrace,
  GateRegistry,
  summarizeExits,
  ThresholdRangeError,
  resolveThresholds,
} from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { sweepThresholds, type ThresholdPoint } from '../src/index.js';
import { catchError } from './catch-error.js';
import { handCosts, handLabels, handTrace } from './hand-trace.js';

const registry = new GateRegistry();
registerBuiltinGates(registry);
const context = { exits: 3, classes: 3 };
const maxProb = registry.create('max-prob', context);

function at(points: readonly ThresholdPoint[], threshold: number): ThresholdPoint {
  const point = points.find((p) => p.threshold === threshold);
  if (!point) throw new Error(`no point at ${threshold}`);
  return point;
}

describe('sweepThresholds', () => {
  // max-prob scores, exit 0: [0.9, 0.6, 0.4, 0.8]; exit 1: [0.95, 0.7, 0.5, 0.6].
  const curve = sweepThresholds(handTrace, maxProb, handCosts, handLabels, { candidates: 8 });
  const f = Math.fround;

  it('tries every score quantile, both range ends and the full model', () => {
    expect(curve.gate).toBe('max-prob');
    const thresholds = curve.points.map((p) => p.threshold).sort((a, b) => a - b);
    expect(thresholds).toEqual([0, f(0.4), f(0.5), f(0.6), f(0.7), f(0.8), f(0.9), f(0.95), 1, Infinity]);
    expect(curve.points.filter((p) => p.fullModel).map((p) => p.threshold)).toEqual([Infinity]);
  });

  it('gives the hand-computed accuracy and cost at each threshold', () => {
    // t = 0.7: samples 0 and 3 leave at exit 0, sample 1 at exit 1, sample 2 at exit 2; all right.
    const p07 = at(curve.points, f(0.7));
    expect(p07.exitCounts).toEqual([2, 1, 1]);
    expect(p07.accuracy).toBe(1);
    expect(p07.meanCost).toBeCloseTo((1 / 3 + 2 / 3 + 1 + 1 / 3) / 4, 12);
    expect(p07.meanMacs).toBeCloseTo((110 + 220 + 330 + 110) / 4, 12);
    expect(p07.meanCostVsBackbone).toBeCloseTo(192.5 / 310, 12);
    // t = 0.6: sample 1 now leaves at exit 0 and is wrong.
    const p06 = at(curve.points, f(0.6));
    expect(p06.exitCounts).toEqual([3, 0, 1]);
    expect(p06.accuracy).toBe(0.75);
    expect(p06.meanCost).toBeCloseTo(0.5, 12);
    // t = 0.5: sample 2 leaves at exit 1, wrong.
    const p05 = at(curve.points, f(0.5));
    expect(p05.exitCounts).toEqual([3, 1, 0]);
    expect(p05.accuracy).toBe(0.5);
    expect(p05.meanCost).toBeCloseTo(5 / 12, 12);
    // t = 0.95: sample 0 leaves at exit 1, the rest at exit 2.
    const p095 = at(curve.points, f(0.95));
    expect(p095.exitCounts).toEqual([0, 1, 3]);
    expect(p095.meanCost).toBeCloseTo(11 / 12, 12);
    // t = 0: everyone leaves at exit 0.
    expect(at(curve.points, 0)).toMatchObject({ exitCounts: [4, 0, 0], accuracy: 0.5 });
    expect(at(curve.points, 0).meanCost).toBeCloseTo(1 / 3, 12);
    // The full model: everyone at the last exit, cost 1.
    expect(at(curve.points, Infinity)).toMatchObject({ exitCounts: [0, 0, 4], accuracy: 1, meanCost: 1 });
    expect(at(curve.points, Infinity).meanCostVsBackbone).toBeCloseTo(330 / 310, 12);
  });

  it('sorts the points by cost, a deployable threshold before the full model at equal results', () => {
    const costs = curve.points.map((p) => p.meanCost);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    const last = curve.points.slice(-2);
    expect(last.map((p) => p.threshold)).toEqual([1, Infinity]);
  });

  it('agrees with evaluateTrace at every finite threshold', () => {
    for (const point of curve.points.filter((p) => !p.fullModel)) {
      const result = evaluateTrace(handTrace, maxProb, point.threshold, handCosts);
      const summary = summarizeExits(result, handCosts, handLabels);
      expect(point.accuracy).toBe(summary.accuracy);
      expect(point.exitCounts).toEqual(summary.exitCounts);
      expect(point.meanCost).toBeCloseTo(summary.meanCost, 12);
      expect(() => resolveThresholds(maxProb, point.threshold, 3)).not.toThrow();
    }
    // The full-model point's +Infinity closes every exit: a valid policy that runs every row to the last exit.
    expect(resolveThresholds(maxProb, Infinity, 3)).toEqual(Float64Array.of(Infinity, Infinity));
    expect(() => resolveThresholds(maxProb, -Infinity, 3)).toThrow(ThresholdRangeError);
  });

  it('uses 200 candidates by default and works for a gate that needs history', () => {
    expect(sweepThresholds(handTrace, maxProb, handCosts, handLabels).points).toHaveLength(10);
    const patience = registry.create({ name: 'patience', options: { patience: 1 } }, context);
    // Patience scores: exit 0 all 0; exit 1: [1, 0, 1, 0] (samples 0 and 2 keep their exit-0 class).
    const curve2 = sweepThresholds(handTrace, patience, handCosts, handLabels);
    expect(curve2.points.map((p) => p.threshold).sort()).toEqual([0, 1, 2, Infinity]);
    // t = 1: samples 0 and 2 leave at exit 1 (0 right, 2 wrong), 1 and 3 at exit 2.
    expect(at(curve2.points, 1)).toMatchObject({ exitCounts: [0, 2, 2], accuracy: 0.75 });
    expect(at(curve2.points, 1).meanCost).toBeCloseTo((2 / 3 + 2 / 3 + 1 + 1) / 4, 12);
  });

  it('rejects bad inputs with typed errors', () => {
    const mismatch = catchError(() => sweepThresholds(handTrace, maxProb, handCosts, new Int32Array([0, 1])));
    expect(mismatch).toBeInstanceOf(CountMismatchError);
    expect(mismatch).toMatchObject({ field: 'labels.length', received: '2' });
    const twoExits = computeExitCosts({ stageMacs: [1, 1], headMacs: [1, 1] });
    expect(catchError(() => sweepThresholds(handTrace, maxProb, twoExits, handLabels))).toMatchObject({
      code: 'COUNT_MISMATCH',
      field: 'costs.exits',
    });
    expect(catchError(() => sweepThresholds(handTrace, maxProb, handCosts, handLabels, { candidates: 0 }))).toMatchObject(
      { code: 'ARGUMENT_INVALID', field: 'options.candidates', received: '0' },
    );
    expect(catchError(() => sweepThresholds(handTrace, maxProb, handCosts, handLabels, { candidates: 2.5 }))).toMatchObject(
      { field: 'options.candidates' },
    );
  });
});
