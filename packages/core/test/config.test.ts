import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNetworkConfig, writeNetworkConfig } from '../src/node.js';
import {
  ConfigError,
  CountMismatchError,
  GateOptionsError,
  GateRegistry,
  parseNetworkConfig,
  parseNetworkConfigJson,
  policyFromConfig,
  UnknownGateError,
} from '../src/index.js';
import { testAgreement, testMaxProb } from './fixtures.js';

const registry = new GateRegistry();
registry.register(testMaxProb);
registry.register(testAgreement);

const valid = {
  version: 2,
  name: 'digits-cnn',
  inputShape: [28, 28, 1],
  classes: 10,
  backbone: { type: 'cnn', options: { stages: [{ filters: 8 }] } },
  exits: 3,
  heads: [{ type: 'linear' }, { type: 'linear' }, { type: 'linear', options: { pool: 'avg' } }],
  policy: { gate: 'test-agreement', options: { window: 2 } },
  alternatives: [{ gate: 'test-max-prob', thresholds: [0.9, 0.8] }],
  costs: { stageMacs: [10, 20, 30], headMacs: [1, 1, 1] },
};

const withChange = (change: (c: Record<string, unknown>) => void): unknown => {
  const copy = structuredClone(valid) as Record<string, unknown>;
  change(copy);
  return copy;
};

describe('network config', () => {
  it('accepts a valid config and fills defaults', () => {
    const config = parseNetworkConfig(valid, registry);
    expect(config.heads[0]!.options).toEqual({});
    expect(config.policy.gate).toBe('test-agreement');
  });
  it('names the field of a malformed config', () => {
    expect(() => parseNetworkConfig(withChange((c) => { c.classes = 1; }), registry)).toThrow(ConfigError);
    expect(() => parseNetworkConfig(withChange((c) => { c.classes = 1; }), registry)).toThrow(/^classes: .*received 1/);
    expect(() => parseNetworkConfig(withChange((c) => { c.inputShape = [28, -1]; }), registry)).toThrow(
      /inputShape\[1\]: .*received -1/,
    );
    expect(() => parseNetworkConfig(withChange((c) => { delete c.backbone; }), registry)).toThrow(/^backbone: .*received undefined/);
    expect(() => parseNetworkConfig(withChange((c) => { (c.heads as object[])[1] = { type: 3 }; }), registry)).toThrow(
      /heads\[1\].type/,
    );
  });
  it('a number of heads that does not match the exits is a CountMismatchError', () => {
    const error = (() => {
      try {
        parseNetworkConfig(withChange((c) => { (c.heads as object[]).pop(); }), registry);
      } catch (e) {
        return e as CountMismatchError;
      }
    })();
    expect(error).toBeInstanceOf(CountMismatchError);
    expect(error?.message).toBe('heads: expected 3 heads (one per exit), received 2 heads');
  });
  it('an unknown gate is an UnknownGateError naming policy.gate or alternatives[i].gate', () => {
    expect(() => parseNetworkConfig(withChange((c) => { (c.policy as { gate: string }).gate = 'nope'; }), registry)).toThrow(
      UnknownGateError,
    );
    expect(() => parseNetworkConfig(withChange((c) => { (c.policy as { gate: string }).gate = 'nope'; }), registry)).toThrow(
      /^policy\.gate: /,
    );
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.alternatives as { gate: string }[])[0]!.gate = 'nope'; }), registry),
    ).toThrow(/^alternatives\[0\]\.gate: /);
  });
  it('bad gate options, threshold counts and ranges are typed errors naming the field', () => {
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.policy as { options?: unknown }).options = { window: 'x' }; }), registry),
    ).toThrow(GateOptionsError);
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.alternatives as { thresholds?: number[] }[])[0]!.thresholds = [0.9]; }), registry),
    ).toThrow(/^alternatives\[0\]\.thresholds: expected 2 thresholds/);
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.alternatives as { thresholds?: number[] }[])[0]!.thresholds = [0.9, 1.2]; }), registry),
    ).toThrow(/^alternatives\[0\]\.thresholds\[1\]: expected a number in \[0, 1\]/);
  });
  it('misspelt keys are errors, not silently dropped', () => {
    const misspelt = withChange((c) => {
      c.policy = { gate: 'test-max-prob', threshold: [0.5, 0.5] };
    });
    expect(() => parseNetworkConfig(misspelt, registry)).toThrow(ConfigError);
    expect(() => parseNetworkConfig(misspelt, registry)).toThrow(/^policy\.threshold: expected no such key/);
    expect(() => parseNetworkConfig(withChange((c) => { c.activeGate = 'x'; }), registry)).toThrow(/^activeGate: /);
  });
  it('resolves its policy into a fixed runtime policy', () => {
    const config = parseNetworkConfig(valid, registry);
    const main = policyFromConfig(config, registry);
    expect(main.gate.name).toBe('test-agreement');
    expect(main.thresholds).toBeInstanceOf(Float64Array);
    expect(main.needs.history).toBe(true);
    const alternative = policyFromConfig(config, registry, 0);
    expect(Array.from(alternative.thresholds)).toEqual([0.9, 0.8]);
    expect(alternative.costs.cumulativeMacs[0]).toBe(10 + 1 + alternative.gate.macs(0));
  });
  it('malformed JSON is a ConfigError', () => {
    expect(() => parseNetworkConfigJson('{"version": 1,', registry)).toThrow(ConfigError);
  });
  it('writes atomically and reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'offramp-config-'));
    const path = join(dir, 'network.json');
    await writeNetworkConfig(path, parseNetworkConfig(valid, registry));
    expect((await readNetworkConfig(path, registry)).name).toBe('digits-cnn');
    expect(await readdir(dir)).toEqual(['network.json']);
    expect(JSON.parse(await readFile(path, 'utf8')).exits).toBe(3);
  });
});
