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
    expect(() => parseNetworkConfig(misspelt, registry)).toThrow(
      /^policy\.threshold: expected no such key \(did you mean "thresholds"\?\)/,
    );
    expect(() => parseNetworkConfig(withChange((c) => { c.activeGate = 'x'; }), registry)).toThrow(
      /^activeGate: expected no such key \(unknown keys are not ignored; known: version, name, inputShape/,
    );
    expect(() => parseNetworkConfig(withChange((c) => { c.clases = 10; }), registry)).toThrow(/did you mean "classes"/);
    const inArray = withChange((c) => { (c.heads as object[])[2] = { type: 'linear', option: {} }; });
    expect(() => parseNetworkConfig(inArray, registry)).toThrow(/^heads\[2\]\.option: expected no such key \(did you mean "options"\?\)/);
    const nested = withChange((c) => { c.costs = { stageMacs: [1, 1, 1], headMacs: [1, 1, 1], headMac: [] }; });
    expect(() => parseNetworkConfig(nested, registry)).toThrow(/^costs\.headMac: .*did you mean "headMacs"/);
  });
  it('one operating point per gate: a gate twice among the policy and the alternatives is an error', () => {
    const twice = withChange((c) => {
      c.alternatives = [{ gate: 'test-max-prob', thresholds: [0.9, 0.8] }, { gate: 'test-max-prob', thresholds: [0.5, 0.5] }];
    });
    expect(() => parseNetworkConfig(twice, registry)).toThrow(ConfigError);
    expect(() => parseNetworkConfig(twice, registry)).toThrow(/^alternatives\[1\]\.gate: .*"test-max-prob", the gate of alternatives\[0\]/);
    const policyGate = withChange((c) => { c.alternatives = [{ gate: 'test-agreement' }]; });
    expect(() => parseNetworkConfig(policyGate, registry)).toThrow(/^alternatives\[0\]\.gate: .*the gate of policy/);
  });
  it('JSON that names a key twice, nests too deep or is too long is refused with a ConfigError', () => {
    const text = JSON.stringify(valid).replace('"classes":10', '"classes":10,"classes":3');
    expect(() => parseNetworkConfigJson(text, registry, 'net.json')).toThrow(ConfigError);
    expect(() => parseNetworkConfigJson(text, registry, 'net.json')).toThrow(/^net\.json: classes: expected each key once per object, received "classes" twice/);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(() => parseNetworkConfigJson(deep, registry)).toThrow(/^config: \[0\]\[0\].*expected at most 64 levels of nesting/);
  });
  it('a missing config file is a ConfigError naming the path', async () => {
    const path = join(tmpdir(), 'offramp-no-such-config.json');
    await expect(readNetworkConfig(path, registry)).rejects.toThrow(ConfigError);
    await expect(readNetworkConfig(path, registry)).rejects.toThrow(`path: expected a readable network config file (JSON), received no file at ${path}`);
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
