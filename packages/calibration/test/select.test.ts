import { ArgumentError, GateRegistry } from '@offramp/core';
import { registerBuiltinGates, ruleGates } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { selectThreshold, type ThresholdGoal } from '../src/index.js';
import { expectFieldError } from './catch-error.js';
import { handCosts, handLabels, handTrace } from './hand-trace.js';

const registry = new GateRegistry();
registerBuiltinGates(registry);
const f = Math.fround;

describe('selectThreshold (any gate, from a trace)', () => {
  // max-prob front on the hand trace: 0.4 -> acc 0.5 at cost 1/3; 0.6 -> 0.75 at 0.5; 0.7 -> 1 at 0.583.
  const gate = registry.create('max-prob', { exits: 3, classes: 3 });
  it('(a) the most accurate point under a cost budget', () => {
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { budget: 0.55 })?.threshold).toBe(f(0.6));
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { budget: 0.2 })).toBeNull();
  });
  it('(b) the cheapest point at a target accuracy, or within a drop of the full model', () => {
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { targetAccuracy: 0.7 })?.threshold).toBe(f(0.6));
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { maxDrop: 0 })?.threshold).toBe(f(0.7));
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { maxDrop: 0.3 })?.threshold).toBe(f(0.6));
    expect(selectThreshold(handTrace, gate, handCosts, handLabels, { maxDrop: 0, reference: 0.5 })?.threshold).toBe(f(0.4));
  });
  it('works for every rule gate', () => {
    for (const { name } of ruleGates) {
      const point = selectThreshold(handTrace, registry.create(name, { exits: 3, classes: 3 }), handCosts, handLabels, { maxDrop: 0 });
      expect(point?.accuracy, name).toBe(1);
    }
  });
  it('rejects an unknown goal', () => {
    expectFieldError(() => selectThreshold(handTrace, gate, handCosts, handLabels, {} as ThresholdGoal), ArgumentError, 'goal');
  });
});
