import {
  computeExitCosts,
  createRng,
  evaluateTrace,
  GateRegistry,
  softmaxRows,
  summarizeExits,
  type Trace,
} from '@offramp/core';
import { registerBuiltinGates, ruleGates } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { paretoFront, sweepThresholds } from '../src/index.js';

const n = 300;
const exits = 4;
const classes = 5;
const rng = createRng(3);
const labels = Int32Array.from({ length: n }, () => rng.int(classes));
// Later exits see a stronger signal towards the label, so they are more accurate.
const logits = Array.from({ length: exits }, (_, l) =>
  Float32Array.from({ length: n * classes }, (_, k) => {
    const i = Math.floor(k / classes);
    return 2 * (rng.next() - 0.5) * 3 + (k % classes === labels[i] ? l + 0.5 : 0);
  }),
);
const trace: Trace = { n, exits, classes, logits, probs: logits.map((z) => softmaxRows(z, classes)) };
const costs = computeExitCosts({ stageMacs: [50, 80, 80, 80], headMacs: [5, 5, 5, 5], gateMacs: [5, 5, 5] });
const registry = new GateRegistry();
registerBuiltinGates(registry);

describe('sweeps on a random trace', () => {
  for (const plugin of ruleGates) {
    it(`${plugin.name}: every finite point matches evaluateTrace, the front rises with cost`, () => {
      const gate = registry.create(plugin.name, { exits, classes });
      const curve = sweepThresholds(trace, gate, costs, labels, { candidates: 40 });
      expect(curve.points.length).toBeLessThanOrEqual(40 + 3);
      expect(curve.points.length).toBeGreaterThanOrEqual(3);
      for (const point of curve.points) {
        if (point.fullModel) continue;
        const summary = summarizeExits(evaluateTrace(trace, gate, point.threshold, costs), costs, labels);
        expect(point.accuracy).toBe(summary.accuracy);
        expect(point.exitCounts).toEqual(summary.exitCounts);
        expect(point.meanMacs).toBeCloseTo(summary.meanMacs, 9);
      }
      const front = paretoFront(curve.points);
      for (let k = 1; k < front.length; k++) {
        expect(front[k]!.meanCost).toBeGreaterThan(front[k - 1]!.meanCost);
        expect(front[k]!.accuracy).toBeGreaterThan(front[k - 1]!.accuracy);
      }
      for (const point of curve.points) {
        expect(front.some((q) => q.accuracy >= point.accuracy && q.meanCost <= point.meanCost)).toBe(true);
      }
    });
  }
});
