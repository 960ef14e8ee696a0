import {
  ArgumentError,
  collectTrace,
  CountMismatchError,
  computeExitCosts,
  EmptyBatchError,
  evaluateTrace,
  type ExitResult,
  InputShapeError,
  NonFiniteInputError,
  runEarlyExit,
  runEarlyExitPooled, createExitPolicy
} from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCnnBackbone, type StagedBackbone, type TfModule, TfjsEngine } from '../src/index.js';
import { createLinearHead } from '@offramp/heads';
import { maxProbGate, randomArray } from './helpers.js';

const classes = 4;
const n = 64;
let backbone: StagedBackbone;
let heads: TfModule[];
let engine: TfjsEngine;
let input: Float32Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  backbone = createCnnBackbone({
    inputShape: [8, 8, 2],
    stages: [
      { filters: 4, kernelSize: 3, pool: 'max' },
      { filters: 6, kernelSize: 3 },
      { filters: 8, kernelSize: 3, strides: 2, padding: 'valid' },
    ],
    seed: 3,
  });
  heads = backbone.stages.map((stage, l) => createLinearHead({ inputShape: stage.outputShape, classes: classes, pool: 'avg', seed: 10 * l + 1, name: `engine-head${l}` }));
  engine = new TfjsEngine({ stages: backbone.stages, heads, inputShape: [8, 8, 2], classes });
  input = randomArray(n * 8 * 8 * 2, 99);
});

afterAll(() => {
  backbone.dispose();
  for (const head of heads) head.dispose();
});

function costs() {
  return computeExitCosts({ stageMacs: backbone.stageMacs, headMacs: heads.map((h) => h.macs) });
}

describe('TfjsEngine', () => {
  it('wraps host data, runs stages and heads, gathers rows and reads back', async () => {
    const x = engine.fromHost(input.subarray(0, 3 * 128), 3);
    expect(x.shape).toEqual([3, 8, 8, 2]);
    expect(await engine.toHost(x)).toEqual(input.subarray(0, 3 * 128));
    const h = engine.runStage(0, x);
    expect(h.shape).toEqual([3, 4, 4, 4]);
    const logits = await engine.runHead(0, h);
    const direct = heads[0]!.apply(h);
    expect(logits).toBeInstanceOf(Float32Array);
    expect(logits).toEqual(await direct.data());
    const picked = engine.take(h, Int32Array.from([2, 0]));
    const hostH = await engine.toHost(h);
    const hostPicked = await engine.toHost(picked);
    expect(hostPicked.subarray(0, 64)).toEqual(hostH.subarray(128, 192));
    expect(hostPicked.subarray(64)).toEqual(hostH.subarray(0, 64));
    for (const t of [x, h, direct, picked]) engine.dispose(t);
  });

  it('copies host data in and out', async () => {
    const data = input.slice(0, 128);
    const x = engine.fromHost(data, 1);
    data[0] = 42;
    const host = await engine.toHost(x);
    expect(host[0]).toBe(input[0]);
    host[1] = 42;
    expect((await x.data())[1]).toBe(input[1]);
    engine.dispose(x);
  });

  it('leaves no tensors behind over a full pass', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      let x = engine.fromHost(input, n);
      for (let l = 0; l < engine.exits; l++) {
        const h = engine.runStage(l, x);
        engine.dispose(x);
        await engine.runHead(l, h);
        const kept = engine.take(h, Int32Array.from([0, h.shape[0]! - 1]));
        engine.dispose(h);
        x = kept;
      }
      engine.dispose(x);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks heads against stages', () => {
    expect(() => new TfjsEngine({ stages: backbone.stages, heads: heads.slice(1), inputShape: [8, 8, 2], classes })).toThrow(
      CountMismatchError,
    );
    const swapped = [heads[1]!, heads[0]!, heads[2]!];
    try {
      new TfjsEngine({ stages: backbone.stages, heads: swapped, inputShape: [8, 8, 2], classes });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputShapeError);
      expect((error as InputShapeError).field).toBe('heads[0].inputShape');
    }
    try {
      new TfjsEngine({ stages: backbone.stages, heads, inputShape: [8, 8, 3], classes });
      expect.unreachable();
    } catch (error) {
      expect((error as InputShapeError).field).toBe('stages[0].inputShape');
    }
    try {
      new TfjsEngine({ stages: backbone.stages, heads, inputShape: [8, 8, 2], classes: 5 });
      expect.unreachable();
    } catch (error) {
      expect((error as InputShapeError).field).toBe('heads[0].outputShape');
    }
  });

  it('rejects host data of the wrong length, bad indices and rows out of range', () => {
    expect(() => engine.fromHost(new Float32Array(100), 1)).toThrow(InputShapeError);
    const x = engine.fromHost(input.subarray(0, 256), 2);
    expect(() => engine.runStage(3, x)).toThrow(ArgumentError);
    expect(() => engine.take(x, Int32Array.from([0, 2]))).toThrow(ArgumentError);
    engine.dispose(x);
  });
});

describe('early exit on a TfjsEngine', () => {
  async function thresholdsFromTrace(): Promise<number[]> {
    const trace = await collectTrace(engine, input, n);
    // The median max-prob at each gated exit: about half the samples leave at exit 0, a quarter at 1.
    return [0, 1].map((l) => {
      const scores = maxProbGate.create({}, { exits: 3, classes }).score({
        exit: l,
        exits: 3,
        batch: n,
        classes,
        logits: trace.logits[l]!,
        probs: trace.probs[l]!,
        cost: 0,
      });
      const sorted = Array.from(scores).sort((a, b) => a - b);
      return sorted[n / 2]!;
    });
  }

  async function runInChunks(thresholds: number[], chunk: number): Promise<ExitResult[]> {
    const gate = maxProbGate.create({}, { exits: 3, classes });
    const results: ExitResult[] = [];
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      results.push(
        await runEarlyExit(engine, createExitPolicy({ gate, thresholds, costs: costs() }), input.subarray(start * 128, (start + count) * 128), count),
      );
    }
    return results;
  }

  it.each([1, 7, 64])('agrees sample for sample with trace evaluation, batches of %i', async (chunk) => {
    const thresholds = await thresholdsFromTrace();
    const gate = maxProbGate.create({}, { exits: 3, classes });
    const expected = evaluateTrace(await collectTrace(engine, input, n, { batchSize: 16 }), gate, thresholds, costs());
    expect(new Set(expected.exit).size).toBe(3);

    const parts = await runInChunks(thresholds, chunk);
    const exit = Int32Array.from(parts.flatMap((p) => Array.from(p.exit)));
    const prediction = Int32Array.from(parts.flatMap((p) => Array.from(p.prediction)));
    const probs = Float32Array.from(parts.flatMap((p) => Array.from(p.probs)));
    expect(exit).toEqual(expected.exit);
    expect(prediction).toEqual(expected.prediction);
    let worst = 0;
    for (let k = 0; k < probs.length; k++) worst = Math.max(worst, Math.abs(probs[k]! - expected.probs[k]!));
    expect(worst).toBeLessThan(1e-6);
  });

  it('pools survivors across batches (concat) with the same exits as trace evaluation and no leaked tensors', async () => {
    const thresholds = await thresholdsFromTrace();
    const gate = maxProbGate.create({}, { exits: 3, classes });
    const expected = evaluateTrace(await collectTrace(engine, input, n, { batchSize: 16 }), gate, thresholds, costs());
    const stream = function* () {
      for (let start = 0; start < n; start += 9) {
        const count = Math.min(9, n - start);
        yield { input: input.subarray(start * 128, (start + count) * 128), batch: count };
      }
    };
    const before = tf.memory().numTensors;
    const pooled = await runEarlyExitPooled(engine, createExitPolicy({ gate, thresholds, costs: costs() }), stream(), { minRows: 20 });
    expect(tf.memory().numTensors).toBe(before);
    expect(pooled.exit).toEqual(expected.exit);
    expect(pooled.prediction).toEqual(expected.prediction);
    expect(() => engine.concat([])).toThrow(ArgumentError);
  });

  it('does not grow the tensor count over repeated runs and traces', async () => {
    const thresholds = await thresholdsFromTrace();
    const gate = maxProbGate.create({}, { exits: 3, classes });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await runEarlyExit(engine, createExitPolicy({ gate, thresholds, costs: costs() }), input, n);
      await collectTrace(engine, input, n, { batchSize: 10, hidden: true, similarity: true });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with typed errors and leaves no tensors', async () => {
    const gate = maxProbGate.create({}, { exits: 3, classes });
    const policy = createExitPolicy({ gate, thresholds: 0.5, costs: costs() });
    const before = tf.memory().numTensors;
    await expect(runEarlyExit(engine, policy, new Float32Array(127), 1)).rejects.toBeInstanceOf(InputShapeError);
    const withNaN = input.slice(0, 256);
    withNaN[130] = Number.NaN;
    const nan = await runEarlyExit(engine, policy, withNaN, 2).catch((e: unknown) => e);
    expect(nan).toBeInstanceOf(NonFiniteInputError);
    expect((nan as NonFiniteInputError).field).toBe('input[130]');
    await expect(runEarlyExit(engine, policy, new Float32Array(0), 0)).rejects.toBeInstanceOf(EmptyBatchError);
    await expect(collectTrace(engine, new Float32Array(0), 0)).rejects.toBeInstanceOf(EmptyBatchError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
