import {
  CountMismatchError,
  DuplicateGateError,
  GateOptionsError,
  GateRegistry,
  parseNetworkConfig,
  resolveThresholds,
  ThresholdRangeError,
  UnknownGateError,
  validateGateOptions,
} from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { builtinGates, maxProbGate, patienceGate, registerBuiltinGates } from '../src/index.js';
import { catchError } from './catch-error.js';

const context = { exits: 4, classes: 10 };
const names = ['entropy', 'margin', 'max-prob', 'patience', 'power-entropy'];

describe('registerBuiltinGates', () => {
  it('registers every built-in gate once and is idempotent', () => {
    const registry = new GateRegistry();
    expect(registerBuiltinGates(registry).sort()).toEqual(names);
    expect(registry.list()).toEqual(names);
    expect(registerBuiltinGates(registry)).toEqual([]);
    expect(registry.list()).toEqual(names);
  });

  it('leaves a gate registered under a built-in name in place', () => {
    const registry = new GateRegistry();
    registry.register(maxProbGate);
    expect(registerBuiltinGates(registry)).not.toContain('max-prob');
    expect(registry.get('max-prob')).toBe(maxProbGate);
  });

  it('registering a built-in twice by hand is a DuplicateGateError', () => {
    const registry = new GateRegistry();
    registerBuiltinGates(registry);
    expect(() => registry.register(patienceGate)).toThrow(DuplicateGateError);
  });

  it('builtinGates lists the five plugins', () => {
    expect(builtinGates.map((g) => g.name).sort()).toEqual(names);
    for (const plugin of builtinGates) expect(plugin.description.length).toBeGreaterThan(0);
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
        version: 1,
        inputShape: [4],
        classes: 10,
        backbone: { type: 'mlp', options: {} },
        exits: 4,
        heads: Array.from({ length: 4 }, () => ({ type: 'linear', options: {} })),
        gates: [
          { name: 'entropy', thresholds: [0.9, 0.8, 0.7] },
          { name: 'patience', options: { patience: 2 }, thresholds: [2, 2, 3] },
        ],
      },
      registry,
    );
    expect(config.gates.length).toBe(2);
    expect(catchError(() => parseNetworkConfig({ ...config, gates: [{ name: 'margin', thresholds: [0.5, 1.5, 0.1] }] }, registry))).toMatchObject(
      { field: 'gates[0].thresholds[1]' },
    );
  });
});

describe('threshold ranges', () => {
  const registry = new GateRegistry();
  registerBuiltinGates(registry);

  it('accepts thresholds inside each range', () => {
    for (const name of names) {
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
