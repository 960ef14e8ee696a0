import { ConfigError, GateRegistry, parseNetworkConfigJson } from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edit, jsonMutations, misspelt, pathsOf } from './mutations.js';
import { SEED, Tally } from './tally.js';

const registry = new GateRegistry();
registerBuiltinGates(registry);

const valid = {
  version: 2,
  name: 'fuzzed',
  inputShape: [28, 28, 1],
  classes: 10,
  backbone: { type: 'cnn', options: { stages: [{ filters: 8 }] } },
  exits: 3,
  heads: [{ type: 'linear' }, { type: 'linear' }, { type: 'linear', options: { pool: 'avg' } }],
  policy: { gate: 'max-prob', thresholds: [0.9, 0.8] },
  alternatives: [{ gate: 'entropy', thresholds: [0.5, 0.5] }, { gate: 'patience', options: { patience: 2 } }],
  costs: { stageMacs: [10, 20, 30], headMacs: [1, 1, 1] },
  calibration: { temperatures: [1.5, 1.2, 1] },
};

describe('fuzzed network configs', () => {
  it('are accepted or refused with a ConfigError (typed, naming the field); an accepted one reads back the same', async () => {
    const tally = new Tally('config');
    await fc.assert(
      fc.asyncProperty(jsonMutations(valid), async (text) => {
        const config = await tally.record(() => parseNetworkConfigJson(text, registry));
        if (config) expect(parseNetworkConfigJson(JSON.stringify(config), registry)).toEqual(config);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    tally.finish();
    // Only ConfigError, CountMismatchError and the gate registry's errors come out of a config.
    expect(Object.keys(tally.codes).every((code) => ['CONFIG_INVALID', 'COUNT_MISMATCH', 'GATE_UNKNOWN', 'GATE_OPTIONS_INVALID', 'THRESHOLD_RANGE'].includes(code))).toBe(true);
    expect(tally.typed).toBeGreaterThan(tally.cases / 2);
    expect(parseNetworkConfigJson(JSON.stringify(valid), registry).exits).toBe(3);
    expect(() => parseNetworkConfigJson('{', registry)).toThrow(ConfigError);
  });

  it('a misspelt key is never dropped silently: a ConfigError names it and suggests the key it resembles', () => {
    // Keys the config schema owns (options are the plugins' to check, when they are built).
    const owned = pathsOf(valid).filter((p) => typeof p[p.length - 1] === 'string' && !p.includes('options'));
    fc.assert(
      fc.property(fc.constantFrom(...owned), fc.nat(), fc.nat(), (path, at, kind) => {
        const key = String(path[path.length - 1]);
        const wrong = misspelt(key, at, kind);
        fc.pre(wrong !== key);
        const text = JSON.stringify(edit(valid, path, { rename: wrong }));
        expect(() => parseNetworkConfigJson(text, registry)).toThrow(ConfigError);
        expect(() => parseNetworkConfigJson(text, registry)).toThrow(`did you mean ${JSON.stringify(key)}?`);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
