import { ArgumentError, GateRegistry } from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import {
  chooseOperatingPoint,
  chooseUnderBudget,
  fullModelAccuracy,
  paretoFront,
  sweepThresholds,
  type ThresholdCurve,
} from '../src/index.js';
import { catchError } from './catch-error.js';
import { handCosts, handLabels, handTrace } from './hand-trace.js';

const registry = new GateRegistry();
registerBuiltinGates(registry);
const maxProb = registry.create('max-prob', { exits: 3, classes: 3 });
const curve = sweepThresholds(handTrace, maxProb, handCosts, handLabels, { candidates: 8 });
const reference = fullModelAccuracy(handTrace, handLabels);
const f = Math.fround;

describe('paretoFront', () => {
  it('keeps the points that no other point beats in accuracy and cost', () => {
    const points = [
      { name: 'a', accuracy: 0.5, meanCost: 0.4 },
      { name: 'b', accuracy: 0.8, meanCost: 0.6 },
      { name: 'c', accuracy: 0.7, meanCost: 0.7 }, // b is better and cheaper
      { name: 'd', accuracy: 0.9, meanCost: 1 },
      { name: 'e', accuracy: 0.5, meanCost: 0.3 }, // beats a: same accuracy, cheaper
      { name: 'f', accuracy: 0.9, meanCost: 1 }, // the same as d: d is kept
      { name: 'g', accuracy: 0.8, meanCost: 0.9 }, // b is as accurate and cheaper
    ];
    expect(paretoFront(points).map((p) => p.name)).toEqual(['e', 'b', 'd']);
    expect(paretoFront([])).toEqual([]);
  });

  it('on the hand trace: all exit at 0, t = 0.6, t = 0.7', () => {
    const front = paretoFront(curve.points);
    expect(front.map((p) => [p.accuracy, p.exitCounts])).toEqual([
      [0.5, [4, 0, 0]],
      [0.75, [3, 0, 1]],
      [1, [2, 1, 1]],
    ]);
  });
});

describe('chooseOperatingPoint', () => {
  it('picks the cheapest point within maxDrop of the reference', () => {
    expect(reference).toBe(1);
    expect(chooseOperatingPoint(curve, { reference, maxDrop: 0 })?.threshold).toBe(f(0.7));
    expect(chooseOperatingPoint(curve, { reference, maxDrop: 0.25 })?.threshold).toBe(f(0.6));
    expect(chooseOperatingPoint(curve, { reference, maxDrop: 0.2 })?.threshold).toBe(f(0.7));
    const loosest = chooseOperatingPoint(curve, { reference, maxDrop: 0.5 });
    expect(loosest?.meanCost).toBeCloseTo(1 / 3, 12);
    expect(loosest?.exitCounts).toEqual([4, 0, 0]);
  });

  it('tolerates rounding in reference - maxDrop', () => {
    // 301/600 - 0.005 = 298/600 in real numbers, but the float difference is one ulp above 298/600.
    expect(301 / 600 - 0.005).toBeGreaterThan(298 / 600);
    const point = (accuracy: number, meanCost: number) => ({
      threshold: meanCost,
      fullModel: false,
      accuracy,
      meanCost,
      meanMacs: meanCost,
      meanCostVsBackbone: meanCost,
      exitCounts: [],
    });
    const handCurve: ThresholdCurve = { gate: 'max-prob', points: [point(298 / 600, 0.4), point(301 / 600, 1)] };
    expect(chooseOperatingPoint(handCurve, { reference: 301 / 600, maxDrop: 0.005 })?.meanCost).toBe(0.4);
    expect(chooseOperatingPoint(handCurve, { reference: 301 / 600, maxDrop: 0.004 })?.meanCost).toBe(1);
  });

  it('returns null when no point is accurate enough', () => {
    const poor: ThresholdCurve = { gate: 'max-prob', points: curve.points.filter((p) => p.accuracy < 1) };
    expect(chooseOperatingPoint(poor, { reference: 1, maxDrop: 0.1 })).toBeNull();
    expect(chooseOperatingPoint({ gate: 'x', points: [] }, { reference: 1, maxDrop: 0 })).toBeNull();
  });

  it('rejects a negative maxDrop and a reference outside [0, 1]', () => {
    const error = catchError(() => chooseOperatingPoint(curve, { reference, maxDrop: -0.01 }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ field: 'maxDrop', received: '-0.01' });
    expect(catchError(() => chooseOperatingPoint(curve, { reference: 1.5, maxDrop: 0 }))).toMatchObject({
      field: 'reference',
    });
    expect(() => chooseOperatingPoint(curve, { reference: Number.NaN, maxDrop: 0 })).toThrow(ArgumentError);
  });
});

describe('chooseUnderBudget', () => {
  it('picks the most accurate point within the cost budget', () => {
    expect(chooseUnderBudget(curve, 0.55)?.threshold).toBe(f(0.6));
    expect(chooseUnderBudget(curve, 1)?.threshold).toBe(f(0.7));
    expect(chooseUnderBudget(curve, 7 / 12)?.threshold).toBe(f(0.7));
    expect(chooseUnderBudget(curve, 0.2)).toBeNull();
  });

  it('rejects a budget that is not a number >= 0', () => {
    expect(catchError(() => chooseUnderBudget(curve, -1))).toMatchObject({ code: 'ARGUMENT_INVALID', field: 'maxCost' });
    expect(() => chooseUnderBudget(curve, Number.NaN)).toThrow(ArgumentError);
  });
});
