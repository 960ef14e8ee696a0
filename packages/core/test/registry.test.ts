import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  defineGate,
  DuplicateGateError,
  GateOptionsError,
  GateRegistry,
  resolveThresholds,
  UnknownGateError,
} from '../src/index.js';
import { testAgreement, testMaxProb } from './fixtures.js';

const context = { exits: 4, classes: 3 };

describe('gate registry', () => {
  it('registers, lists and creates gates by name or config', () => {
    const registry = new GateRegistry();
    registry.register(testMaxProb);
    registry.register(testAgreement);
    expect(registry.list()).toEqual(['test-agreement', 'test-max-prob']);
    const byName = registry.create('test-max-prob', context);
    expect(byName.name).toBe('test-max-prob');
    const byConfig = registry.create({ name: 'test-agreement', options: { window: 3 } }, context);
    expect(byConfig.defaultThreshold).toBe(3);
    expect(byConfig.range).toEqual({ min: 0, max: 3 });
    expect(byConfig.needs).toEqual(['history']);
  });
  it('fills option defaults from the schema', () => {
    const registry = new GateRegistry();
    registry.register(testAgreement);
    expect(registry.create('test-agreement', context).defaultThreshold).toBe(2);
  });
  it('a duplicate name is a DuplicateGateError unless replacing', () => {
    const registry = new GateRegistry();
    registry.register(testMaxProb);
    expect(() => registry.register(testMaxProb)).toThrow(DuplicateGateError);
    expect(() => registry.register(testMaxProb, { replace: true })).not.toThrow();
  });
  it('an unknown name lists the registered gates', () => {
    const registry = new GateRegistry();
    registry.register(testMaxProb);
    const error = (() => {
      try {
        registry.create('nope', context);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownGateError);
    expect((error as UnknownGateError).field).toBe('gate.name');
    expect((error as Error).message).toContain('test-max-prob');
    expect((error as Error).message).toContain('"nope"');
  });
  it('invalid options name the option', () => {
    const registry = new GateRegistry();
    registry.register(testAgreement);
    expect(() => registry.create({ name: 'test-agreement', options: { window: 0 } }, context)).toThrow(
      GateOptionsError,
    );
    expect(() => registry.create({ name: 'test-agreement', options: { window: 0 } }, context)).toThrow(
      /gate.options.window: .*received 0/,
    );
  });
  it('rejects names that are not kebab-case', () => {
    expect(() =>
      defineGate({ name: 'Bad Name', range: { min: 0, max: 1 }, defaultThreshold: 0, score: () => (s) => new Float32Array(s.batch) }),
    ).toThrow(/definition.name/);
  });
  it('gate MACs default to the number of classes', () => {
    expect(testMaxProb.create({}, context).macs(0)).toBe(3);
    const custom = defineGate({
      name: 'custom-macs',
      options: z.object({}),
      range: { min: 0, max: 1 },
      defaultThreshold: 0.5,
      macs: (exit) => 10 * (exit + 1),
      score: () => (s) => new Float32Array(s.batch),
    });
    expect(custom.create({}, context).macs(2)).toBe(30);
  });
  it('resolves one threshold for all exits or one per exit', () => {
    const gate = testMaxProb.create({}, context);
    expect(Array.from(resolveThresholds(gate, 0.5, 4))).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(resolveThresholds(gate, [0.1, 0.2, 0.3], 4))).toEqual([0.1, 0.2, 0.3].map((v) => expect.closeTo(v, 12)));
    expect(() => resolveThresholds(gate, -0.1, 4)).toThrow(/thresholds: expected a number in \[0, 1\]/);
  });
});
