import { createGate, DuplicateGateError, listGates, registerGate, UnknownGateError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { entropyGate, registerBuiltinGates } from '../src/index.js';

describe('the default registry', () => {
  it('is untouched by importing the package, filled by registerBuiltinGates()', () => {
    expect(listGates()).toEqual([]);
    expect(() => createGate('max-prob', { exits: 3, classes: 10 })).toThrow(UnknownGateError);
    expect(registerBuiltinGates()).toHaveLength(8);
    expect(registerBuiltinGates()).toEqual([]);
    expect(listGates()).toEqual(['entropy', 'hidden-state', 'jei', 'margin', 'max-prob', 'patience', 'power-entropy', 'similarity']);
  });

  it('createGate works by name and by { name, options }', () => {
    registerBuiltinGates();
    const maxProb = createGate('max-prob', { exits: 3, classes: 10 });
    expect(maxProb.score({
      exit: 0,
      exits: 3,
      batch: 1,
      classes: 10,
      cost: 0.3,
      logits: new Float32Array(10),
      probs: new Float32Array([0.1, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.05, 0.05, 0.1]),
    })[0]).toBeCloseTo(0.2, 6);
    const patience = createGate({ name: 'patience', options: { patience: 1 } }, { exits: 3, classes: 10 });
    expect(patience.defaultThreshold).toBe(1);
    expect(patience.range).toEqual({ min: 0, max: 2 });
  });

  it('registering a built-in again by hand is a DuplicateGateError', () => {
    registerBuiltinGates();
    expect(() => registerGate(entropyGate)).toThrow(DuplicateGateError);
  });
});
