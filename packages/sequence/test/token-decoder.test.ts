import { createTransformerLm, type TransformerLm, transformerLayerMacs } from '@offramp/backbones';
import { ArgumentError, CountMismatchError, computeExitCosts, createExitPolicy, type ExitSignal, ThresholdRangeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitRows as lmExitRows, TINY_LM, TINY_SEQUENCE } from '../../backbones/test/small-models.js';
import { TokenDecoder, tokenExitCosts, tokenExitPolicy } from '../src/index.js';
import { maxProbGate, similarityGate } from '@offramp/gates';
import { softmax } from './helpers.js';

const options = TINY_LM;
const sequence = TINY_SEQUENCE;

let lm: TransformerLm;
const gate = maxProbGate.create({}, { exits: 3, classes: 11 });

beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = createTransformerLm({ ...options, name: 'token-decoder-lm' });
});

afterAll(() => {
  lm.dispose();
});

const exitRows = (tokens: number[], lastOnly = false) => lmExitRows(lm, tokens, lastOnly);

describe('TokenDecoder', () => {
  it('without a policy reproduces the full model position by position (key/value cache)', async () => {
    const full = exitRows(sequence, true)[0]!;
    const decoder = new TokenDecoder(lm);
    for (let t = 0; t < sequence.length; t++) {
      const step = await decoder.step(sequence[t]!);
      expect(step.exit).toBe(2);
      const expected = softmax(full[t]!);
      step.probs.forEach((p, k) => {
        expect(p).toBeCloseTo(expected[k]!, 5);
      });
      expect(step.macs).toBe(3 * transformerLayerMacs(8, 12, t + 1) + 88);
    }
    await expect(decoder.step(1)).rejects.toThrow(/context/);
    decoder.dispose();
  });

  it('with a threshold no score reaches runs every exit and gives the full model', async () => {
    const full = exitRows(sequence, true)[0]!;
    // no next token is certain here, so no max-prob score reaches 1
    const decoder = new TokenDecoder(lm, tokenExitPolicy(lm, gate, 1));
    for (let t = 0; t < 4; t++) {
      const step = await decoder.step(sequence[t]!);
      expect(step.exit).toBe(2);
      expect(step.probs[0]).toBeCloseTo(softmax(full[t]!)[0]!, 5);
      expect(step.macs).toBe(3 * transformerLayerMacs(8, 12, t + 1) + 3 * 88);
    }
    decoder.dispose();
  });

  it('leaves at the first exit with threshold 0 and copies the state to the layers above', async () => {
    const exit0 = exitRows(sequence)[0]!;
    const decoder = new TokenDecoder(lm, tokenExitPolicy(lm, gate, [0, 0]));
    const first = await decoder.step(sequence[0]!);
    expect(first.exit).toBe(0);
    expect(first.probs[3]).toBeCloseTo(softmax(exit0[0]!)[3]!, 5);
    expect(first.macs).toBe(transformerLayerMacs(8, 12, 1) + 88 + 2 * 128);
    // layer 0 never sees copied states, so exit 0 stays exact at later positions too
    const second = await decoder.step(sequence[1]!);
    expect(second.probs[5]).toBeCloseTo(softmax(exit0[1]!)[5]!, 5);
    decoder.dispose();
  });

  it('skips the head of an exit whose threshold is +Infinity', async () => {
    const decoder = new TokenDecoder(lm, tokenExitPolicy(lm, gate, [Number.POSITIVE_INFINITY, 0]));
    const step = await decoder.step(sequence[0]!);
    expect(step.exit).toBe(1);
    expect(step.macs).toBe(2 * transformerLayerMacs(8, 12, 1) + 88 + 128);
    decoder.dispose();
  });

  it('decides through the gate with its scores checked and the policy costs in the signal', async () => {
    const seen: ExitSignal[] = [];
    const spy = {
      ...gate,
      score: (signal: ExitSignal) => {
        seen.push(signal);
        return gate.score(signal);
      },
    };
    const policy = tokenExitPolicy(lm, spy, 0.5);
    const decoder = new TokenDecoder(lm, policy);
    await decoder.step(sequence[0]!);
    decoder.dispose();
    expect(seen[0]).toMatchObject({ exit: 0, exits: 3, batch: 1, classes: 11, cost: policy.costs.normalized[0] });
    const broken = { ...gate, score: () => new Float32Array(2) };
    const bad = new TokenDecoder(lm, tokenExitPolicy(lm, broken, 0.5));
    await expect(bad.step(sequence[0]!)).rejects.toThrow(/1 scores/);
    bad.dispose();
  });

  it('frees its cache and checks its input and policy', async () => {
    const before = tf.memory().numTensors;
    const decoder = new TokenDecoder(lm, tokenExitPolicy(lm, gate, 0.3));
    for (const token of sequence.slice(0, 5)) await decoder.step(token);
    await expect(decoder.step(11)).rejects.toThrow(/token/);
    decoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => tokenExitPolicy(lm, gate, [1])).toThrow(CountMismatchError);
    expect(() => tokenExitPolicy(lm, gate, 2)).toThrow(ThresholdRangeError);
    const twoLayers = createExitPolicy({ gate: maxProbGate.create({}, { exits: 2, classes: 11 }), thresholds: 0.5, costs: computeExitCosts({ stageMacs: [1, 1], headMacs: [1, 1] }) });
    expect(() => new TokenDecoder(lm, twoLayers)).toThrow(/policy\.costs\.exits/);
    const similarity = similarityGate.create({}, { exits: 3, classes: 11 });
    expect(() => new TokenDecoder(lm, tokenExitPolicy(lm, similarity, 0.5))).toThrow(ArgumentError);
  });

  it('costs a token per layer, head and gate as the model counts them', () => {
    const costs = tokenExitCosts(lm, gate);
    expect(costs.stageMacs).toEqual(lm.layerMacs);
    expect(costs.headMacs).toEqual([88, 88, 88]);
    expect(costs.gateMacs).toEqual([11, 11, 0]);
    expect(tokenExitCosts(lm).gateMacs).toEqual([0, 0, 0]);
  });
});
