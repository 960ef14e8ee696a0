import { computeExitCosts, type Trace, softmaxRows } from '@offramp/core';
import { maxProbGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { gateCurve, operatingPoint } from '../src/page/curve.js';
import { chartBounds, curveSvg, ticks } from '../src/page/curve-svg.js';

// Four samples, two exits, two classes. Exit 0: samples 0, 1 sure (0.9) and right, sample 2 sure and
// wrong, sample 3 unsure (0.5 / 0.5, so class 0) and wrong. Exit 1: every sample right.
const p = (a: number) => Math.log(a / (1 - a));
const exit0 = Float32Array.from([p(0.9), 0, 0, p(0.9), p(0.9), 0, 0, 0]);
const exit1 = Float32Array.from([5, 0, 0, 5, 0, 5, 0, 5]);
const logits = [exit0, exit1];
const trace: Trace = { n: 4, exits: 2, classes: 2, logits, probs: logits.map((z) => softmaxRows(z, 2)) };
const labels = Int32Array.from([0, 1, 1, 1]);
// Stages 10 and 30 MACs, heads 2 and 2, gate 2: backbone = 10 + 30 + 2 = 42; exit 0 costs 14, exit 1 46.
const gate = maxProbGate.create({}, { exits: 2, classes: 2 });
const costs = computeExitCosts({ stageMacs: [10, 30], headMacs: [2, 2], gateMacs: [2] });

describe('operatingPoint', () => {
  it('gives accuracy, cost and exits at a threshold (by hand)', () => {
    // Threshold 0.8: samples 0, 1, 2 leave at exit 0 (2 right), sample 3 at exit 1 (right): 3/4.
    const point = operatingPoint(trace, labels, gate, 0.8, costs);
    expect(point.accuracy).toBe(0.75);
    expect(point.exitCounts).toEqual([3, 1]);
    // MACs: 3 x 14 + 1 x 46 = 88 per 4 samples; vs backbone 22 / 42.
    expect(point.meanMacs).toBeCloseTo(22, 10);
    expect(point.cost).toBeCloseTo(22 / 42, 10);
  });

  it('runs every sample to the end at the top of the range', () => {
    const point = operatingPoint(trace, labels, gate, 1, costs);
    expect(point.accuracy).toBe(1);
    expect(point.cost).toBeCloseTo(46 / 42, 10);
  });
});

describe('gateCurve', () => {
  it('sweeps from all-early to the full model, sorted by cost', () => {
    const curve = gateCurve(trace, labels, gate, costs);
    const costsAlong = curve.points.map((q) => q.cost);
    expect(costsAlong).toEqual([...costsAlong].sort((a, b) => a - b));
    expect(curve.points[0]).toMatchObject({ accuracy: 0.5 });
    expect(curve.points[0]!.cost).toBeCloseTo(14 / 42, 10);
    expect(curve.points.at(-1)!.accuracy).toBe(1);
    expect(curve.points.at(-1)!.cost).toBeCloseTo(46 / 42, 10);
  });
});

describe('curveSvg', () => {
  it('ticks on round values', () => {
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(95.5, 97.5, 5)).toEqual([95.5, 96, 96.5, 97, 97.5]);
    expect(ticks(3, 3, 5)).toEqual([3]);
  });

  it('draws every curve and marks the operating point inside the plot', () => {
    const curve = gateCurve(trace, labels, gate, costs);
    const current = operatingPoint(trace, labels, gate, 0.8, costs);
    const chart = { curves: [curve, { gate: 'other', points: [{ cost: 0.5, accuracy: 0.6, threshold: 0 }] }], highlight: 'max-prob', current, width: 400, height: 300 };
    const svg = curveSvg(chart);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('data-gate="max-prob"');
    const bounds = chartBounds(chart);
    expect(bounds.cost[0]).toBe(0);
    expect(bounds.accuracy[1]).toBe(1);
    // x = 52 + cost / maxCost x plot width (400 - 66).
    const cx = Number(/id="operating-point" cx="([\d.]+)"/.exec(svg)![1]);
    expect(cx).toBeCloseTo(52 + (current.cost / bounds.cost[1]) * 334, 0);
    expect(svg).not.toContain('NaN');
  });
});
