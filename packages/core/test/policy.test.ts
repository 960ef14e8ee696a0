import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  ConfigError,
  computeExitCosts,
  CountMismatchError,
  createExitPolicy,
  GateOptionsError,
  GateRegistry,
  parsePolicySpec,
  resolvePolicy,
  ThresholdRangeError,
  UnknownGateError,
  withThresholds,
} from '../src/index.js';
import { testAgreement, testMaxProb } from './fixtures.js';

const registry = new GateRegistry();
registry.register(testMaxProb);
registry.register(testAgreement);
const network = { exits: 3, classes: 4, stageMacs: [100, 200, 300], headMacs: [10, 10, 10] };

function caught(run: () => unknown): Error & { field?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { field?: string };
  }
  throw new Error('expected an error');
}

describe('resolvePolicy', () => {
  it('creates the gate by name, fixes thresholds as a typed array and adds the gate MACs to the costs', () => {
    const policy = resolvePolicy({ gate: 'test-agreement', options: { window: 1 }, thresholds: [1, 2] }, network, registry);
    expect(policy.gate.name).toBe('test-agreement');
    expect(policy.thresholds).toEqual(Float64Array.of(1, 2));
    expect(policy.needs).toEqual({ hidden: false, similarity: false, history: true });
    // The gate costs C = 4 MACs at each gated exit, none at the last: 100+10+4, then +200+10+4, then +300+10.
    expect(policy.costs.cumulativeMacs).toEqual([114, 328, 638]);
    expect(policy.costs.normalized[0]).toBeCloseTo(114 / 638, 12);
  });
  it('uses the gate default threshold at every gated exit when none are given', () => {
    expect(Array.from(resolvePolicy({ gate: 'test-max-prob' }, network, registry).thresholds)).toEqual([0.9, 0.9]);
  });
  it('reads a null threshold as a closed exit (+Infinity: no row leaves there)', () => {
    const policy = resolvePolicy({ gate: 'test-max-prob', thresholds: [null, 0.5] }, network, registry);
    expect(Array.from(policy.thresholds)).toEqual([Number.POSITIVE_INFINITY, 0.5]);
  });
  it('gives one typed error naming the field for every kind of bad policy', () => {
    const cases: [unknown, new (...args: never[]) => Error, string][] = [
      [{ gate: 'nope' }, UnknownGateError, 'policy.gate'],
      [{ gate: 'test-agreement', options: { window: 'x' } }, GateOptionsError, 'policy.options.window'],
      [{ gate: 'test-max-prob', thresholds: [0.5] }, CountMismatchError, 'policy.thresholds'],
      [{ gate: 'test-max-prob', thresholds: [0.5, 1.5] }, ThresholdRangeError, 'policy.thresholds[1]'],
      [{ gate: 'test-max-prob', threshold: [0.5, 0.5] }, ConfigError, 'policy.threshold'],
      [{ gate: 7 }, ConfigError, 'policy.gate'],
      ['max-prob', ConfigError, 'policy'],
    ];
    for (const [spec, type, field] of cases) {
      const error = caught(() => resolvePolicy(spec, network, registry));
      expect(error, JSON.stringify(spec)).toBeInstanceOf(type);
      expect(error.field, JSON.stringify(spec)).toBe(field);
    }
    expect(caught(() => resolvePolicy({ gate: 'nope' }, network, registry, 'manifest.policy')).field).toBe('manifest.policy.gate');
  });
  it('parses a spec without a registry, for readers that only check shape', () => {
    expect(parsePolicySpec({ gate: 'x', thresholds: [1] })).toEqual({ gate: 'x', thresholds: [1] });
  });
});

describe('createExitPolicy and withThresholds', () => {
  const gate = testMaxProb.create({}, { exits: 3, classes: 4 });
  const costs = computeExitCosts(network);
  it('accepts one number for every exit, a list, or a typed array', () => {
    expect(createExitPolicy({ gate, thresholds: 0.7, costs }).thresholds).toEqual(Float64Array.of(0.7, 0.7));
    expect(createExitPolicy({ gate, thresholds: Float32Array.of(0.5, 0.25), costs }).thresholds).toEqual(Float64Array.of(0.5, 0.25));
  });
  it('range-checks thresholds set later (an online adapter), +Infinity closing an exit', () => {
    const policy = createExitPolicy({ gate, thresholds: 0.7, costs });
    expect(withThresholds(policy, [0.1, Number.POSITIVE_INFINITY]).thresholds[1]).toBe(Number.POSITIVE_INFINITY);
    expect(caught(() => withThresholds(policy, [0.1, -1], 'adapter.thresholds')).field).toBe('adapter.thresholds[1]');
    expect(caught(() => withThresholds(policy, [Number.NaN, 0.5]))).toBeInstanceOf(ThresholdRangeError);
  });
  it('refuses a policy without gate or costs with a typed error', () => {
    expect(caught(() => createExitPolicy({ gate } as never))).toBeInstanceOf(ArgumentError);
  });
});
