import {
  CountMismatchError,
  DuplicateGateError,
  defineGate,
  GateOptionsError,
  GateRegistry,
  parseNetworkConfig,
  resolveThresholds,
  ThresholdRangeError,
  UnknownGateError,
  validateGateOptions,
} from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { builtinGateRegistry, builtinGates, maxProbGate, patienceGate, registerBuiltinGates, ruleGates } from '../src/index.js';
import { catchError } from './catch-error.js';

const context = { exits: 4, classes: 10 };
const ruleNames = ['entropy', 'margin', 'max-prob', 'patience', 'power-entropy'];
const names = ['entropy', 'hidden-state', 'jei', 'margin', 'max-prob', 'patience', 'power-entropy', 'similarity'];

/** A plugin that takes a built-in's name. */
const otherMaxProb = defineGate({
  name: 'max-prob',
  range: { min: 0, max: 1 },
  defaultThreshold: 0.5,
  score: () => (signal) => new Float32Array(signal.batch),
});

describe('registerBuiltinGates', () => {
  it('registers every built-in gate once and is idempotent', () => {
    const registry = new GateRegistry();
    expect(registerBuiltinGates(registry).sort()).toEqual(names);
    expect(registry.list()).toEqual(names);
    expect(registerBuiltinGates(registry)).toEqual([]);
    expect(registry.list()).toEqual(names);
  });

  it('accepts a built-in plugin that is already registered under its name', () => {
    const registry = new GateRegistry();
    registry.register(maxProbGate);
    expect(registerBuiltinGates(registry)).not.toContain('max-prob');
    expect(registry.get('max-prob')).toBe(maxProbGate);
    expect(registry.list()).toEqual(names);
  });

  it('throws a DuplicateGateError when another plugin holds a built-in name, and registers nothing', () => {
    const registry = new GateRegistry();
    registry.register(otherMaxProb);
    const error = catchError(() => registerBuiltinGates(registry));
    expect(error).toBeInstanceOf(DuplicateGateError);
    expect(error).toMatchObject({ code: 'GATE_DUPLICATE', field: 'plugin.name' });
    expect((error as DuplicateGateError).received).toContain('"max-prob"');
    expect(registry.list()).toEqual(['max-prob']);
    expect(registry.get('max-prob')).toBe(otherMaxProb);
  });

  it('registering a built-in twice by hand is a DuplicateGateError', () => {
    const registry = new GateRegistry();
    registerBuiltinGates(registry);
    expect(() => registry.register(patienceGate)).toThrow(DuplicateGateError);
  });

  it('builtinGates lists the rule gates, the learned gates and similarity', () => {
    expect(builtinGates.map((g) => g.name).sort()).toEqual(names);
    expect(ruleGates.map((g) => g.name).sort()).toEqual(ruleNames);
    for (const plugin of builtinGates) expect(plugin.description.length).toBeGreaterThan(0);
  });

  it('fills a registry that rebuilds the learned gates from their weights, options validated', () => {
    const registry = builtinGateRegistry();
    expect(registry.list()).toEqual(names);
    const hiddenSizes = [2, 2, 2, 2];
    const jei = registry.create({ name: 'jei', options: { weights: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], biases: [0, 0, 0] } }, context);
    expect(jei.needs).toEqual(['history']);
    const hidden = registry.create({ name: 'hidden-state', options: { weights: [[1, -1], [0, 1], [1, 0]], biases: [0, 0, 0] } }, { ...context, hiddenSizes });
    expect(hidden.needs).toEqual(['hidden']);
    expect(registry.create('similarity', { ...context, hiddenSizes }).needs).toEqual(['similarity']);
    expect(catchError(() => registry.create({ name: 'jei', options: { weights: 'none', biases: [] } }, context))).toMatchObject({
      code: 'GATE_OPTIONS_INVALID',
      field: 'gate.options.weights',
    });
  });
});

describe('creating gates from a registry', () => {
  const registry = new GateRegistry();
  registerBuiltinGates(registry);

  it('creates by name and by { name, options }', () => {
    const byName = registry.create('entropy', context);
    expect(byName.name).toBe('entropy');
    expect(byName.defaultThreshold).toBe(0.8);
    const patience = registry.create({ name: 'patience', options: { patience: 3 } }, context);
    expect(patience.defaultThreshold).toBe(3);
    expect(registry.create({ name: 'patience' }, context).defaultThreshold).toBe(2);
  });

  it('an unknown name is an UnknownGateError listing the known ones', () => {
    const error = catchError(() => registry.create('confidence', context));
    expect(error).toBeInstanceOf(UnknownGateError);
    expect(error).toMatchObject({ field: 'gate.name', received: '"confidence"' });
    expect((error as Error).message).toContain('max-prob');
  });

  it('bad options are a GateOptionsError naming options.patience', () => {
    const error = catchError(() => validateGateOptions(patienceGate, { patience: 0 }));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error).toMatchObject({ field: 'options.patience', received: '0' });
    expect(catchError(() => registry.create({ name: 'patience', options: { patience: 1.5 } }, context))).toMatchObject(
      { code: 'GATE_OPTIONS_INVALID', field: 'gate.options.patience', received: '1.5' },
    );
    expect(catchError(() => registry.create({ name: 'patience', options: { patience: '2' } }, context))).toMatchObject(
      { field: 'gate.options.patience', received: '"2"' },
    );
  });

  it('unknown option keys are rejected', () => {
    const error = catchError(() => registry.create({ name: 'max-prob', options: { threshold: 0.9 } }, context));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect((error as Error).message).toContain('threshold');
  });

  it('works in a network config', () => {
    const config = parseNetworkConfig(
      {
        version: 2,
        inputShape: [4],
        classes: 10,
        backbone: { type: 'mlp', options: {} },
        exits: 4,
        heads: Array.from({ length: 4 }, () => ({ type: 'linear', options: {} })),
        policy: { gate: 'entropy', thresholds: [0.9, 0.8, 0.7] },
        alternatives: [{ gate: 'patience', options: { patience: 2 }, thresholds: [2, 2, 3] }],
      },
      registry,
    );
    expect(config.alternatives?.length).toBe(1);
    expect(catchError(() => parseNetworkConfig({ ...config, policy: { gate: 'margin', thresholds: [0.5, 1.5, 0.1] } }, registry))).toMatchObject(
      { field: 'policy.thresholds[1]' },
    );
  });
});

describe('threshold ranges', () => {
  const registry = new GateRegistry();
  registerBuiltinGates(registry);

  it('accepts thresholds inside each range', () => {
    for (const name of ruleNames) {
      const gate = registry.create(name, context);
      expect(Array.from(resolveThresholds(gate, gate.defaultThreshold, 4))).toEqual([
        gate.defaultThreshold,
        gate.defaultThreshold,
        gate.defaultThreshold,
      ]);
      expect(resolveThresholds(gate, gate.range.max, 4).length).toBe(3);
    }
  });

  it('rejects thresholds outside the range with a ThresholdRangeError naming the index', () => {
    const maxProb = registry.create('max-prob', context);
    expect(catchError(() => resolveThresholds(maxProb, [0.5, 1.2, 0.5], 4))).toMatchObject({
      code: 'THRESHOLD_RANGE',
      field: 'thresholds[1]',
      received: '1.2',
    });
    expect(() => resolveThresholds(registry.create('entropy', context), -0.1, 4)).toThrow(ThresholdRangeError);
    const patience = registry.create('patience', context);
    expect(() => resolveThresholds(patience, 4, 4)).toThrow(ThresholdRangeError);
    expect(() => resolveThresholds(patience, [1, 2], 4)).toThrow(CountMismatchError);
  });
});
