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
  ThresholdRangeError,
  UnknownGateError,
} from '../src/index.js';
import { testAgreement, testMaxProb } from './fixtures.js';

const registry = new GateRegistry();
registry.register(testMaxProb);
registry.register(testAgreement);

const valid = {
  version: 1,
  name: 'digits-cnn',
  inputShape: [28, 28, 1],
  classes: 10,
  backbone: { type: 'cnn', options: { stages: [{ filters: 8 }] } },
  exits: 3,
  heads: [{ type: 'linear' }, { type: 'linear' }, { type: 'linear', options: { pool: 'avg' } }],
  gates: [
    { name: 'test-max-prob', thresholds: [0.9, 0.8] },
    { name: 'test-agreement', options: { window: 2 } },
  ],
  activeGate: 'test-agreement',
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
    expect(config.gates[1]!.name).toBe('test-agreement');
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
  it('an unknown gate is an UnknownGateError naming gates[i].name', () => {
    expect(() => parseNetworkConfig(withChange((c) => { (c.gates as { name: string }[])[1]!.name = 'nope'; }), registry)).toThrow(
      UnknownGateError,
    );
    expect(() => parseNetworkConfig(withChange((c) => { (c.gates as { name: string }[])[1]!.name = 'nope'; }), registry)).toThrow(
      /^gates\[1\].name/,
    );
  });
  it('bad gate options, threshold counts and ranges are typed errors', () => {
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.gates as { options?: unknown }[])[1]!.options = { window: 'x' }; }), registry),
    ).toThrow(GateOptionsError);
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.gates as { thresholds?: number[] }[])[0]!.thresholds = [0.9]; }), registry),
    ).toThrow(/gates\[0\].thresholds: expected 2 thresholds/);
    expect(() =>
      parseNetworkConfig(withChange((c) => { (c.gates as { thresholds?: number[] }[])[0]!.thresholds = [0.9, 1.2]; }), registry),
    ).toThrow(ThresholdRangeError);
  });
  it('activeGate must be one of the configured gates', () => {
    expect(() => parseNetworkConfig(withChange((c) => { c.activeGate = 'other'; }), registry)).toThrow(/^activeGate/);
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
