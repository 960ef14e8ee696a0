import type { TwoStreamModel } from '@offramp/backbones';
import { ArgumentError, CountMismatchError, computeExitCosts, createExitPolicy } from '@offramp/core';
import { similarityGate } from '@offramp/gates';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMemory, copiedStateCount, decodeWithExits, decoderPolicy, decoderStepPolicies, runEncoderStream } from '../src/index.js';
import { createTestModel, imageInput, n, similarity, stepPolicy, streamPolicy, textInput, tokens } from './two-stream-fixture.js';

const CLOSED = Number.POSITIVE_INFINITY;
let model: TwoStreamModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createTestModel('decode-test');
});

afterAll(() => model.dispose());

describe('decoding with exits', () => {
  async function memory() {
    const image = await runEncoderStream(model, imageInput, streamPolicy(model, imageInput, CLOSED));
    const text = await runEncoderStream(model, textInput, streamPolicy(model, textInput, CLOSED));
    const real = Float32Array.from(tokens, (t) => (t === 0 ? 0 : 1));
    return buildMemory(model, image, text, real);
  }

  it('real early exit gives the tokens, exits and MACs of the masked batch', async () => {
    const mem = await memory();
    const options = { steps: 5, bos: 1, eos: 2, policy: stepPolicy(model, 0.2) };
    const real = await decodeWithExits(model, mem, options);
    const masked = await decodeWithExits(model, mem, { ...options, mode: 'masked', batchSize: 5 });
    expect(Array.from(real.tokens)).toEqual(Array.from(masked.tokens));
    expect(Array.from(real.exits)).toEqual(Array.from(masked.exits));
    expect(Array.from(real.macs)).toEqual(Array.from(masked.macs));
    const gap = Math.max(...Array.from(real.firstLogits, (v, k) => Math.abs(v - masked.firstLogits[k]!)));
    expect(gap).toBeLessThan(1e-4);
    const used = Array.from(real.exits).filter((e) => e >= 0);
    expect(new Set(used).size).toBeGreaterThan(1);
  });

  it('makes a copied state\'s keys and values only when a later step runs the skipped layer', async () => {
    const mem = await memory();
    // steps 0, 2, 3 leave after layer 0 (any cosine >= -1); steps 1 and 4 run all 3 layers and attend there to
    // the copied states of the steps before them: 2 + 0 + 2 + 2 = 6 copies
    const options = { steps: 5, bos: 1, policy: [-1, CLOSED, -1, -1, CLOSED].map((t) => stepPolicy(model, t)) };
    const real = await decodeWithExits(model, mem, options);
    const masked = await decodeWithExits(model, mem, { ...options, mode: 'masked', batchSize: 7 });
    expect(Array.from(real.exits.subarray(0, 5))).toEqual([0, 2, 0, 0, 2]);
    expect(copiedStateCount(real.exits.subarray(0, 5))).toBe(6);
    expect(Array.from(real.tokens)).toEqual(Array.from(masked.tokens));
    expect(Array.from(real.macs)).toEqual(Array.from(masked.macs));
    const m = model.macs;
    const layer = (keys: number) => m.decoderLayer(keys, 8);
    const expected =
      3 * m.memoryKeysValues(8) + 5 * m.head + 6 * m.copiedKeysValues +
      // similarity checks: 1 for an exit at layer 0, 2 for a full-depth step (d = 8: 24 MACs each)
      (1 + 2 + 1 + 1 + 2) * 24 +
      layer(1) + 3 * layer(2) + layer(3) + layer(4) + 3 * layer(5);
    expect(real.macs[0]).toBe(expected);
  });

  it('counts copied states by hand', () => {
    expect(copiedStateCount([])).toBe(0);
    expect(copiedStateCount([3, 3, 3])).toBe(0);
    // the last step's skipped layers are never run again
    expect(copiedStateCount([3, 0])).toBe(0);
    expect(copiedStateCount([0, 3])).toBe(3);
    // step 0 needs layers 1, 2 (step 2 reaches 2); step 1 needs 1, 2; step 2 none; -1 = after the end
    expect(copiedStateCount([0, 0, 2, 1, -1, -1])).toBe(4);
  });

  it('counts MACs of a full-depth step by hand', async () => {
    const mem = await memory();
    const out = await decodeWithExits(model, mem, { steps: 1, bos: 1, policy: [stepPolicy(model, CLOSED)] });
    const m = model.macs;
    // 3 layers with 1 self key and 8 memory positions, 2 similarity checks of d = 8, the head, memory keys/values
    const expected = 3 * m.decoderLayer(1, 8) + 2 * 24 + m.head + 3 * m.memoryKeysValues(8);
    expect(out.macs[0]).toBe(expected);
    expect(Array.from(out.exits)).toEqual(new Array(n).fill(2));
    const plain = await decodeWithExits(model, mem, { steps: 1, bos: 1 });
    expect(plain.macs[0]).toBe(expected - 2 * 24);
    expect(Array.from(plain.tokens)).toEqual(Array.from(out.tokens));
  });

  it('makes one policy per step from a schedule, closing thresholds above the gate\'s range', () => {
    const policies = decoderStepPolicies(model, similarity, [1, 0.9, 1.8]);
    expect(policies.map((p) => Array.from(p.thresholds))).toEqual([[1, 1], [0.9, 0.9], [CLOSED, CLOSED]]);
    expect(policies[0]!.costs.exits).toBe(3);
    // a step costs its layers, checks and one head
    const costs = decoderPolicy(model, similarity, 0.5).costs;
    expect(costs.cumulativeMacs[0]).toBe(model.macs.decoderLayer(3, 8) + model.macs.head + 24);
    expect(costs.cumulativeMacs[2]).toBe(3 * model.macs.decoderLayer(3, 8) + model.macs.head + 2 * 24);
  });

  it('keeps no tensors and checks its options', async () => {
    const mem = await memory();
    const options = { steps: 3, bos: 1, policy: stepPolicy(model, 0.3) };
    await decodeWithExits(model, mem, options);
    const before = tf.memory().numTensors;
    await decodeWithExits(model, mem, options);
    await decodeWithExits(model, mem, { ...options, mode: 'masked' });
    expect(tf.memory().numTensors).toBe(before);
    await expect(decodeWithExits(model, mem, { ...options, steps: 6 })).rejects.toThrow(ArgumentError);
    await expect(decodeWithExits(model, mem, { ...options, policy: [stepPolicy(model, 0.3)] })).rejects.toThrow(CountMismatchError);
    const twoLayers = createExitPolicy({ gate: similarityGate.create({}, { exits: 2, classes: similarity.context!.classes }), thresholds: 0.3, costs: computeExitCosts({ stageMacs: [1, 1], headMacs: [0, 0] }) });
    await expect(decodeWithExits(model, mem, { ...options, policy: twoLayers })).rejects.toThrow(/policy\.costs\.exits/);
  });
});
