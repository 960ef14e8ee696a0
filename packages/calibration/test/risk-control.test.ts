import {
  ArgumentError,
  argmaxRows,
  computeExitCosts,
  CountMismatchError,
  createRng,
  exitsFromScores,
  GateRegistry,
  scoreTrace,
  ThresholdRangeError,
} from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { riskControlledThresholds, type RiskName } from '../src/index.js';
import { catchError, expectFieldError } from './catch-error.js';
import { handCosts, handLabels, handTrace } from './hand-trace.js';
import { syntheticTrace, takeTrace } from './synthetic.js';

const registry = new GateRegistry();
registerBuiltinGates(registry);
const maxProb = registry.create('max-prob', { exits: 3, classes: 3 });

describe('riskControlledThresholds on the hand trace', () => {
  // Predictions: exit 0 [0, 0, 0, 0], exit 1 [0, 1, 0, 1], exit 2 [0, 1, 2, 0].
  // max-prob scores: exit 0 [0.9, 0.6, 0.4, 0.8], exit 1 [0.95, 0.7, 0.5, 0.6].
  // Disagreements with exit 2 by shared threshold: none down to 0.7; at 0.6 sample 1 leaves at exit 0 (class 0 != 1).
  const thresholds = [1, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5];

  it('binomial: keeps the loosest threshold before the first failed test', () => {
    // n = 4, epsilon = 0.5: p-value of 0 losses = 0.5^4 = 0.0625 <= 0.1; of 1 loss = 0.3125 > 0.1.
    const result = riskControlledThresholds(handTrace, maxProb, handCosts, {
      risk: 'disagreement',
      epsilon: 0.5,
      delta: 0.1,
      thresholds,
    });
    expect(result.thresholds).toEqual([0.7, 0.7]);
    expect(result.tested).toBe(6);
    expect(result.empiricalRisk).toBe(0);
    expect(result.pValueAtChoice).toBeCloseTo(0.0625, 12);
    expect(result.testingSamples).toBe(4);
    // At 0.7: samples 0 and 3 leave at exit 0, samples 1 and 2 (scores 0.7 in float32 < 0.7) at exit 2.
    expect(result.calibration.exitCounts).toEqual([2, 0, 2]);
  });

  it('error-increase counts samples the early exit gets wrong where the last exit was right', () => {
    // At 0.6 sample 1 is wrong early and right at the end: 1 loss -> p 0.3125 -> stop; the same 0.7.
    const result = riskControlledThresholds(handTrace, maxProb, handCosts, {
      risk: 'error-increase',
      labels: handLabels,
      epsilon: 0.5,
      delta: 0.1,
      thresholds,
    });
    expect(result.thresholds).toEqual([0.7, 0.7]);
  });

  it('hoeffding is looser: exp(-2 * 4 * 0.25) = 0.135 > 0.1, so nothing is certified (run the full model)', () => {
    const result = riskControlledThresholds(handTrace, maxProb, handCosts, {
      risk: 'disagreement',
      epsilon: 0.5,
      delta: 0.1,
      pValue: 'hoeffding',
      thresholds,
    });
    expect(result.thresholds).toBeNull();
    expect(result.tested).toBe(1);
    expect(result.calibration.exitCounts).toEqual([0, 0, 4]);
  });

  it('names bad inputs', () => {
    const base = { risk: 'disagreement' as const, epsilon: 0.1, delta: 0.1 };
    expectFieldError(() => riskControlledThresholds(handTrace, maxProb, handCosts, { ...base, risk: 'error' }), ArgumentError, 'options.labels');
    expectFieldError(() => riskControlledThresholds(handTrace, maxProb, handCosts, { ...base, epsilon: 0 }), ArgumentError, 'options.epsilon');
    expectFieldError(() => riskControlledThresholds(handTrace, maxProb, handCosts, { ...base, delta: 1 }), ArgumentError, 'options.delta');
    expect(catchError(() => riskControlledThresholds(handTrace, maxProb, handCosts, { ...base, thresholds: [2] }))).toBeInstanceOf(ThresholdRangeError);
    const costs = computeExitCosts({ stageMacs: [1, 1], headMacs: [1, 1] });
    expect(catchError(() => riskControlledThresholds(handTrace, maxProb, costs, base))).toBeInstanceOf(CountMismatchError);
    expectFieldError(() => riskControlledThresholds(handTrace, maxProb, handCosts, { ...base, mode: 'per-exit', searchFraction: 0.1 }), ArgumentError, 'options.searchFraction');
  });
});

describe('the risk-control guarantee in simulation', () => {
  // A large synthetic population; calibration sets are drawn from it with replacement (i.i.d.), and the
  // true risk of the chosen thresholds is measured on the whole population.
  const classes = 4;
  const { trace: population, labels } = syntheticTrace(20000, [0.8, 1.6, 3], classes, 17);
  const costs = computeExitCosts({ stageMacs: [100, 100, 100], headMacs: [10, 10, 10] });
  const gate = registry.create('max-prob', { exits: 3, classes });
  const scores = scoreTrace(population, gate, costs);
  const predictions = population.probs.map((p) => argmaxRows(p, classes));

  function populationRisk(thresholds: readonly number[], risk: RiskName): { risk: number; early: number } {
    const exit = exitsFromScores(scores, thresholds, population.n);
    let losses = 0;
    let early = 0;
    for (let i = 0; i < population.n; i++) {
      const p = predictions[exit[i]!]![i]!;
      const last = predictions[2]![i]!;
      if (exit[i]! < 2) early++;
      if (risk === 'disagreement') losses += p !== last ? 1 : 0;
      else losses += p !== labels[i] && last === labels[i] ? 1 : 0;
    }
    return { risk: losses / population.n, early: early / population.n };
  }

  const cases = [
    { mode: 'shared', risk: 'disagreement', pValue: 'binomial', trials: 200 },
    { mode: 'shared', risk: 'error-increase', pValue: 'hoeffding', trials: 200 },
    { mode: 'per-exit', risk: 'disagreement', pValue: 'binomial', trials: 100 },
  ] as const;
  for (const { mode, risk, pValue, trials } of cases) {
    it(`${mode}, ${risk}, ${pValue}: P(risk > epsilon) <= delta`, () => {
      const epsilon = 0.1;
      const delta = 0.2;
      const rng = createRng(123);
      let violations = 0;
      let certified = 0;
      let early = 0;
      let worst = 0;
      for (let t = 0; t < trials; t++) {
        const rows = Int32Array.from({ length: 300 }, () => rng.int(population.n));
        const cal = takeTrace(population, labels, rows);
        const result = riskControlledThresholds(cal.trace, gate, costs, {
          risk,
          labels: cal.labels,
          epsilon,
          delta,
          pValue,
          mode,
          candidates: mode === 'shared' ? 400 : 100,
          seed: t,
        });
        if (!result.thresholds) continue;
        certified++;
        const outcome = populationRisk(result.thresholds, risk);
        worst = Math.max(worst, outcome.risk);
        early += outcome.early;
        if (outcome.risk > epsilon) violations++;
      }
      // The guarantee: a violation rate of at most delta (plus three standard errors of the simulation).
      expect(violations / trials).toBeLessThanOrEqual(delta + 3 * Math.sqrt((delta * (1 - delta)) / trials));
      // Not vacuous: most draws certify thresholds that send a good share of samples out early.
      expect(certified).toBeGreaterThan(0.8 * trials);
      expect(early / certified).toBeGreaterThan(0.2);
      // The chosen risks come close to epsilon (the bound is used, not wasted).
      expect(worst).toBeGreaterThan(0.6 * epsilon);
    });
  }
});
