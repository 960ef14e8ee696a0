import type { TwoStreamModel } from '@offramp/backbones';
import { ArgumentError, CountMismatchError, computeExitCosts, cosineRows, createExitPolicy, exitsFromScores } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encoderExitCosts,
  encoderStreamPolicy,
  evaluateStreamTrace,
  runEncoderStream,
  streamOutputFromTrace,
  traceEncoderStream,
} from '../src/index.js';
import { maxProbGate, similarityGate } from '@offramp/gates';
import { createTestModel, imageInput, n, similarity, streamPolicy, textInput } from './two-stream-fixture.js';

const CLOSED = Number.POSITIVE_INFINITY;
let model: TwoStreamModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createTestModel('encoder-stream-test');
});

afterAll(() => model.dispose());

/** A threshold that splits the samples at layer 0 (the median cosine there). */
function medianAt(cosines: Float32Array): number {
  return [...cosines].sort((a, b) => a - b)[Math.floor(cosines.length / 2)]!;
}

describe('encoder streams: real early exit agrees with trace evaluation', () => {
  for (const input of [imageInput, textInput]) {
    it(`the ${input.stream} stream`, async () => {
      const trace = await traceEncoderStream(model, input, 5);
      const threshold = medianAt(trace.cosines[0]!);
      const traceExit = exitsFromScores(trace.cosines.slice(0, 2), [threshold, threshold], n);
      const policy = streamPolicy(model, input, threshold);
      const real = await runEncoderStream(model, input, policy);
      expect(Array.from(real.exit)).toEqual(Array.from(traceExit));
      expect(new Set(real.exit).size).toBeGreaterThan(1);
      const fromTrace = streamOutputFromTrace(model, trace, traceExit, input.stream);
      expect(Array.from(real.macs)).toEqual(Array.from(fromTrace.macs));
      const gap = Math.max(...Array.from(real.states, (v, k) => Math.abs(v - fromTrace.states[k]!)));
      expect(gap).toBeLessThan(1e-4);
      const evaluated = evaluateStreamTrace(model, trace, input.stream, policy);
      expect(Array.from(evaluated.exit)).toEqual(Array.from(real.exit));
      expect(Array.from(evaluated.macs)).toEqual(Array.from(real.macs));
      // the cost table counts what the runner counts for a sample leaving at each layer
      const costs = encoderExitCosts(model, input.stream);
      expect(Array.from(real.macs)).toEqual(Array.from(real.exit, (l) => costs.cumulativeMacs[l]));
    });
  }

  it('without a policy runs every layer and counts no similarity checks', async () => {
    const plain = await runEncoderStream(model, imageInput, null);
    expect(Array.from(plain.exit)).toEqual(new Array(n).fill(2));
    expect(plain.macs[0]).toBe(model.macs.imageEmbedding + 3 * model.macs.encoderLayer(4));
    const full = await runEncoderStream(model, imageInput, streamPolicy(model, imageInput, CLOSED));
    expect(Array.from(plain.states)).toEqual(Array.from(full.states));
    expect(full.macs[0]! - plain.macs[0]!).toBe(2 * model.macs.similarity(32));
    const trace = await traceEncoderStream(model, imageInput);
    expect(Array.from(evaluateStreamTrace(model, trace, 'image', null).macs)).toEqual(Array.from(plain.macs));
  });

  it('keeps no tensors and checks its input and policy', async () => {
    const policy = streamPolicy(model, textInput, 0.5);
    await runEncoderStream(model, textInput, policy);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 2; k++) {
      await runEncoderStream(model, textInput, policy);
      await traceEncoderStream(model, imageInput);
    }
    expect(tf.memory().numTensors).toBe(before);
    await expect(runEncoderStream(model, { stream: 'text', n: 2, tokens: new Int32Array(7) }, policy)).rejects.toThrow(ArgumentError);
    expect(() => streamPolicy(model, textInput, [0.5])).toThrow(CountMismatchError);
    const twoLayers = createExitPolicy({ gate: similarityGate.create({}, { exits: 2, classes: similarity.context!.classes }), thresholds: 0.5, costs: computeExitCosts({ stageMacs: [1, 1], headMacs: [0, 0] }) });
    await expect(runEncoderStream(model, textInput, twoLayers)).rejects.toThrow(CountMismatchError);
    const noSimilarity = encoderStreamPolicy(model, 'text', maxProbGate.create({}, { exits: 3, classes: 12 }), 0.5);
    await expect(runEncoderStream(model, textInput, noSimilarity)).rejects.toThrow(/similarity/);
  });

  it('with threshold above 1 runs every layer, and the full trace cosines are real cosines', async () => {
    // MuE's "above 1 never exits" becomes a closed exit in the policy
    const policy = encoderStreamPolicy(model, 'image', similarity, 1.5);
    expect(Array.from(policy.thresholds)).toEqual([CLOSED, CLOSED]);
    const real = await runEncoderStream(model, imageInput, policy);
    expect(Array.from(real.exit)).toEqual(new Array(n).fill(2));
    const trace = await traceEncoderStream(model, imageInput);
    const size = 4 * 8;
    expect(trace.cosines[1]![3]).toBeCloseTo(cosineRows(trace.states[1]!.subarray(3 * size, 4 * size), trace.states[0]!.subarray(3 * size, 4 * size), size)[0]!, 6);
  });
});
