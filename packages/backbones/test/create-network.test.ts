import { ConfigError, CountMismatchError, createExitPolicy, defineGate, GateRegistry, type NetworkConfig, runEarlyExit, UnknownGateError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackboneRegistry, createNetwork, useWasmBackend } from '../src/index.js';

const gates = new GateRegistry();
for (const name of ['margin', 'entropy', 'power-entropy']) {
  gates.register(
    defineGate({
      name,
      range: { min: 0, max: 1 },
      defaultThreshold: 0.5,
      score: (_o, { classes }) => (signal) =>
        Float32Array.from({ length: signal.batch }, (_, i) => Math.max(...signal.probs.subarray(i * classes, (i + 1) * classes))),
    }),
  );
}

const config: NetworkConfig = {
  version: 2,
  name: 'config-mlp',
  inputShape: [6],
  classes: 3,
  backbone: { type: 'mlp', options: { hidden: [8, 8, 8] } },
  exits: 3,
  heads: [{ type: 'linear', options: {} }, { type: 'mlp', options: { hidden: 4 } }, { type: 'linear', options: {} }],
  policy: { gate: 'margin', thresholds: [0.3, 0.2] },
};

function caught(run: () => unknown): Error & { field?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { field?: string };
  }
  throw new Error('expected an error');
}

describe('createNetwork', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('builds backbone, heads and policy by name, and runs as a network built by hand would', async () => {
    const before = tf.memory().numTensors;
    const network = createNetwork(config, { seed: 5, gates });
    try {
      expect(network.backbone.stages).toHaveLength(3);
      expect(network.heads.map((h) => h.macs)).toEqual([8 * 3, 8 * 4 + 4 * 3, 8 * 3]);
      expect(network.policy.gate.name).toBe('margin');
      expect(Array.from(network.policy.thresholds)).toEqual([0.3, 0.2]);
      expect(network.policy.costs.stageMacs).toEqual(network.backbone.stageMacs);
      const input = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i));
      const result = await runEarlyExit(network.engine, network.policy, input, 5);
      const byHand = createExitPolicy({ gate: network.policy.gate, thresholds: [0.3, 0.2], costs: network.policy.costs });
      const again = await runEarlyExit(network.engine, byHand, input, 5);
      expect(Array.from(result.exit)).toEqual(Array.from(again.exit));
    } finally {
      network.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives one typed error naming the field for a bad part, and leaves nothing allocated', () => {
    const before = tf.memory().numTensors;
    const cases: [NetworkConfig, new (...args: never[]) => Error, string][] = [
      [{ ...config, backbone: { type: 'resnet', options: {} } }, ConfigError, 'backbone.type'],
      [{ ...config, backbone: { type: 'mlp', options: { hidden: [8, -1, 8] } } }, ConfigError, 'backbone.options.hidden[1]'],
      [{ ...config, backbone: { type: 'mlp', options: { hidden: [8, 8] } } }, CountMismatchError, 'backbone.options'],
      [{ ...config, heads: [config.heads[0]!, { type: 'mlp', options: {} }, config.heads[2]!] }, ConfigError, 'heads[1].options.hidden'],
      [{ ...config, heads: [config.heads[0]!, { type: 'conv', options: {} }, config.heads[2]!] }, ConfigError, 'heads[1].type'],
      [{ ...config, policy: { gate: 'nope' } }, UnknownGateError, 'policy.gate'],
    ];
    for (const [bad, type, field] of cases) {
      const error = caught(() => createNetwork(bad, { gates }));
      expect(error, field).toBeInstanceOf(type);
      expect(error.field).toBe(field);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lists registered backbones with wildcards', () => {
    const registry = createBackboneRegistry();
    expect(registry.list()).toEqual(['cnn', 'mlp']);
    expect(registry.list('m*')).toEqual(['mlp']);
    expect(registry.list('?nn')).toEqual(['cnn']);
    expect(gates.list('*entropy')).toEqual(['entropy', 'power-entropy']);
  });
});
