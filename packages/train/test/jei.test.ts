import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CountMismatchError, evaluateTrace, computeExitCosts } from '@offramp/core';
import { hiddenStateGate, jeiGate } from '@offramp/gates';
import { createHiddenStateGates, createJeiGates } from '@offramp/gates/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheStageFeatures,
  checkpointExists,
  createCosineSgd,
  type FeatureCache,
  featureTensor,
  headAccuracies,
  jeiLambdaSweep,
  loadVariables,
  traceFromCache,
  trainHiddenStateGates,
  trainJei,
  warmupHeads,
  weightDecayTerm,
} from '../src/index.js';
import { blobs, smallNetwork } from './jei-fixtures.js';

const costs = computeExitCosts({ stageMacs: [32, 64, 64], headMacs: [24, 24, 24] });
let network: ReturnType<typeof smallNetwork>;
let train: FeatureCache;
let validation: FeatureCache;

beforeAll(async () => {
  await tf.setBackend('cpu');
  network = smallNetwork('jei-train', 3);
  train = await cacheStageFeatures(network.stages, blobs(240, 1), [4], 64);
  validation = await cacheStageFeatures(network.stages, blobs(120, 2), [4], 64);
});

afterAll(() => network.dispose());

describe('feature cache', () => {
  it('holds every stage output, as running the stages gives', () => {
    const data = blobs(5, 9);
    const direct = tf.tidy(() => {
      const h0 = network.stages[0]!.apply(tf.tensor2d(data.images, [5, 4]));
      const h1 = network.stages[1]!.apply(h0);
      return Array.from(network.stages[2]!.apply(h1).dataSync());
    });
    return cacheStageFeatures(network.stages, data, [4], 2).then((cache) => {
      expect(cache.shapes).toEqual([[8], [8], [8]]);
      Array.from(cache.features[2]!).forEach((v, i) => {
        expect(v).toBeCloseTo(direct[i]!, 5);
      });
      const rows = featureTensor(cache, 2, [4, 0]);
      expect(Array.from(rows.dataSync()).slice(0, 8)).toEqual(Array.from(cache.features[2]!.subarray(32, 40)));
      rows.dispose();
    });
  });
  it('rejects data whose sizes disagree', async () => {
    const bad = { images: new Float32Array(7), labels: new Int32Array(2), n: 2 };
    await expect(cacheStageFeatures(network.stages, bad, [4])).rejects.toBeInstanceOf(CountMismatchError);
  });
});

describe('cosine SGD', () => {
  it('goes from the start rate to the final rate, halfway at the middle; weight decay is decay/2 ||w||^2', () => {
    const sgd = createCosineSgd({ learningRate: 0.01, finalLearningRate: 0.002 });
    expect(sgd.schedule(0, 11)).toBeCloseTo(0.01, 12);
    expect(sgd.schedule(5, 11)).toBeCloseTo(0.006, 12);
    expect(sgd.schedule(10, 11)).toBeCloseTo(0.002, 12);
    sgd.dispose();
    const v = tf.variable(tf.tensor1d([1, 2]), true, 'decay-test');
    const term = weightDecayTerm([v], 0.1);
    expect(term.dataSync()[0]).toBeCloseTo(0.25, 6);
    tf.dispose([v, term]);
  });
});

describe('JEI-DNN training on a frozen backbone', () => {
  it('warm-up raises accuracy, stops heads early and restores each head to its best epoch', async () => {
    const before = await headAccuracies(validation, network.heads, 3);
    const lastBefore = Array.from(network.heads[2]!.variables[0]!.dataSync());
    const result = await warmupHeads({
      heads: network.heads,
      trainable: [true, true, false],
      train,
      validation,
      maxEpochs: 12,
      batchSize: 32,
      learningRate: 0.05,
      seed: 5,
    });
    expect(Array.from(network.heads[2]!.variables[0]!.dataSync())).toEqual(lastBefore);
    for (const l of [0, 1]) {
      const history = result.validationAccuracy.map((row) => row[l]!);
      const best = Math.max(...history.slice(0, result.bestEpoch[l]! + 1));
      expect(result.bestAccuracy[l]).toBeCloseTo(best, 12);
      expect(result.bestAccuracy[l]!).toBeGreaterThan(before[l]!);
    }
    expect(result.bestEpoch[2]).toBe(-1);
    expect(result.bestAccuracy[0]!).toBeGreaterThan(0.6);
  });

  it('warm-up keeps training the other heads after an earlier head stops (per-head early stopping)', async () => {
    const fresh = smallNetwork('jei-warmup-stop', 8);
    // exit 0 sees constant features, so its accuracy stops moving and it stops first
    const blank = (cache: FeatureCache): FeatureCache => ({ ...cache, features: [new Float32Array(cache.features[0]!.length), ...cache.features.slice(1)] });
    const tensorsBefore = tf.memory().numTensors;
    const result = await warmupHeads({
      heads: fresh.heads,
      trainable: [true, true, false],
      train: blank(train),
      validation: blank(validation),
      maxEpochs: 8,
      batchSize: 32,
      learningRate: 0.05,
      seed: 5,
    });
    expect(result.bestEpoch[0]!).toBeLessThan(result.bestEpoch[1]!);
    const stoppedAfter = result.bestEpoch[0]! + 2;
    expect(result.validationAccuracy.length).toBeGreaterThan(stoppedAfter + 1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    fresh.dispose();
  });

  it('alternates gate and head phases, learns the gates, and lambda moves the target exits', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const logsPerLambda = [];
    for (const [k, lambda] of [0, 100].entries()) {
      const gates = createJeiGates({ exits: 3, seed: 1, name: `jei-train-gates-${k}` });
      const warm = network.heads.flatMap((h) => h.variables.map((v) => tf.clone(v)));
      const logs = await trainJei({
        heads: network.heads,
        trainable: [true, true, false],
        gates,
        train,
        validation,
        costs: costs.normalized,
        lambda,
        epochs: 4,
        batchSize: 24,
        switchEvery: 3,
        learningRate: 0.05,
        seed: 2,
      });
      logsPerLambda.push(logs);
      // 10 batches per epoch: gates at 0-2 and 6-8, heads at 3-5 and 9
      expect(logs.map((e) => [e.gateBatches, e.headBatches])).toEqual(new Array(4).fill([6, 4]));
      expect(logs[0]!.targetCounts.reduce((a, b) => a + b, 0)).toBe(validation.n);
      const trace = await traceFromCache(validation, network.heads, 3);
      const plugin = jeiGate.create(gates.exportWeights(), { exits: 3, classes: 3 });
      expect(evaluateTrace(trace, plugin, 0.5, costs).exit.length).toBe(validation.n);
      gates.dispose();
      network.heads.flatMap((h) => h.variables).forEach((v, i) => {
        v.assign(warm[i]!);
      });
      tf.dispose(warm);
    }
    const [small, large] = logsPerLambda;
    // lambda 0: the targets are the exits with the lowest CE, spread over the exits; lambda 100: cost dominates, all at exit 0
    expect(small![0]!.targetCounts[0]!).toBeLessThan(validation.n);
    expect(large![0]!.targetCounts).toEqual([validation.n, 0, 0]);
    expect(small![3]!.gateLoss).toBeLessThan(small![0]!.gateLoss);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('the lambda sweep gives one network per lambda with a checkpoint, and puts the warm-up heads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jei-sweep-'));
    const warm = Array.from(network.heads[0]!.variables[0]!.dataSync());
    const seen: number[] = [];
    const networks = await jeiLambdaSweep({
      heads: network.heads,
      trainable: [true, true, false],
      train,
      validation,
      costs: costs.normalized,
      lambdas: [0.1, 1],
      epochs: 1,
      batchSize: 48,
      switchEvery: 2,
      seed: 4,
      checkpointDir: dir,
      createGates: (k) => createJeiGates({ exits: 3, seed: 10 + k, name: `jei-sweep-gates-${k}` }),
      onNetwork: (n) => {
        seen.push(n.lambda);
      },
    });
    expect(seen).toEqual([0.1, 1]);
    expect(networks.map((n) => n.gateWeights.weights.length)).toEqual([2, 2]);
    expect(Array.from(network.heads[0]!.variables[0]!.dataSync())).toEqual(warm);
    expect(await checkpointExists(networks[1]!.checkpoint!)).toBe(true);
    const gates = createJeiGates({ exits: 3, seed: 99, name: 'jei-sweep-gates-1' });
    await loadVariables(networks[1]!.checkpoint!, [
      ...network.heads[0]!.variables,
      ...network.heads[1]!.variables,
      ...gates.variables,
    ]);
    expect(gates.exportWeights()).toEqual(networks[1]!.gateWeights);
    gates.dispose();
  });
});

describe('BERxiT-style gate training', () => {
  it('lowers the squared error and exports weights the hidden-state plugin uses', async () => {
    const gates = createHiddenStateGates({ hiddenSizes: [8, 8], seed: 6, name: 'hidden-train' });
    const losses = await trainHiddenStateGates({ gates, heads: network.heads, train, epochs: 6, batchSize: 32, learningRate: 0.02, seed: 1 });
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const plugin = hiddenStateGate.create(gates.exportWeights(), { exits: 3, classes: 3, hiddenSizes: [8, 8, 8] });
    const trace = await traceFromCache(validation, network.heads, 3, { hidden: true });
    const result = evaluateTrace(trace, plugin, 0.5, costs);
    expect(result.exit.length).toBe(validation.n);
    gates.dispose();
  });
});
