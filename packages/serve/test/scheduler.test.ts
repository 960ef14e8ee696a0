import { collectTrace, createExitPolicy, evaluateTrace } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, Scheduler } from '../src/answer.js';
import { batchEarlyExitRunner, fullModelRunner } from '../src/batch-runners.js';
import { DynamicBatcher } from '../src/dynamic-batcher.js';
import type { ServedModel } from '../src/served-model.js';
import { StageScheduler } from '../src/stage-scheduler.js';
import { sample, tinyInputs, tinyModel } from './tiny-network.js';
import type { OnnxValue } from '@offramp/onnx';

const N = 96;
const inputs = tinyInputs(N);

let model: ServedModel<OnnxValue>;
let expected: { exit: Int32Array; prediction: Int32Array; full: Int32Array };

beforeAll(async () => {
  model = await tinyModel();
  const trace = await collectTrace(model.engine, inputs, N);
  const result = evaluateTrace(trace, model.policy.gate, model.policy.thresholds, model.policy.costs);
  const last = trace.probs[trace.exits - 1]!;
  const full = Int32Array.from({ length: N }, (_, i) => {
    const row = Array.from(last.subarray(i * 3, i * 3 + 3));
    return row.indexOf(Math.max(...row));
  });
  expected = { exit: result.exit, prediction: result.prediction, full };
});

afterAll(async () => {
  await model.release();
});

/** Submits every sample in waves of `wave` (each wave concurrent), answers in sample order. */
async function submitAll(scheduler: Scheduler, wave: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let start = 0; start < N; start += wave) {
    const ids = Array.from({ length: Math.min(wave, N - start) }, (_, k) => start + k);
    answers.push(...(await Promise.all(ids.map((i) => scheduler.submit(sample(inputs, i))))));
  }
  return answers;
}

describe('stage-level continuous batching', () => {
  it('the network takes several exits on these samples (the test means something)', () => {
    const counts = [0, 1, 2].map((l) => expected.exit.filter((e) => e === l).length);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('gives every request the exit and prediction of evaluateTrace, sample for sample', async () => {
    for (const [maxBatch, wave] of [
      [1, 1],
      [8, 13],
      [64, N],
    ] as const) {
      const scheduler = new StageScheduler(model, { maxBatch, maxWaitMs: 0.5, sampleFraction: 0 });
      const answers = await submitAll(scheduler, wave);
      expect(Int32Array.from(answers, (a) => a.exit)).toEqual(expected.exit);
      expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(expected.prediction);
      expect(scheduler.depth).toBe(0);
    }
  });

  it('keeps each row its own gate history and previous features when rows of many requests are pooled', async () => {
    const { patienceGate, similarityGate } = await import('@offramp/gates');
    const context = { exits: 3, classes: 3 };
    for (const [gate, threshold] of [
      [patienceGate.create({ patience: 1 }, context), 1],
      [similarityGate.create({}, context), 0.8],
    ] as const) {
      const policy = createExitPolicy({ gate, thresholds: [threshold, threshold], costs: model.policy.costs });
      const trace = await collectTrace(model.engine, inputs, N, { similarity: true });
      const want = evaluateTrace(trace, gate, policy.thresholds, policy.costs);
      expect(new Set(want.exit).size).toBeGreaterThan(1);
      const scheduler = new StageScheduler({ ...model, policy }, { maxBatch: 8, maxWaitMs: 0.5, sampleFraction: 0 });
      const answers = await submitAll(scheduler, 24);
      expect(Int32Array.from(answers, (a) => a.exit)).toEqual(want.exit);
      expect(Int32Array.from(answers, (a) => a.prediction)).toEqual(want.prediction);
    }
  });

  it('per-batch early exit and the full model agree with the trace too', async () => {
    const options = { maxBatch: 16, maxWaitMs: 0.5 };
    const perBatch = new DynamicBatcher('batch-exit', model.inputSize, options, batchEarlyExitRunner(model));
    const full = new DynamicBatcher('full', model.inputSize, options, fullModelRunner(model));
    const a = await submitAll(perBatch, 20);
    expect(Int32Array.from(a, (x) => x.exit)).toEqual(expected.exit);
    expect(Int32Array.from(a, (x) => x.prediction)).toEqual(expected.prediction);
    const f = await submitAll(full, 20);
    expect(f.every((x) => x.exit === 2)).toBe(true);
    expect(Int32Array.from(f, (x) => x.prediction)).toEqual(expected.full);
  });

  it('sampled requests answer at their own exit and still run to the last one', async () => {
    const { ThresholdAdapter, DEFAULT_ADAPTATION } = await import('../src/threshold-adapter.js');
    const adapter = new ThresholdAdapter(model.policy.gate, model.policy.costs, 3, [0.55, 0.55], {
      ...DEFAULT_ADAPTATION,
      minSamples: 10_000,
    });
    const scheduler = new StageScheduler(model, { maxBatch: 8, maxWaitMs: 0.5, sampleFraction: 0.25, adapter });
    const answers = await submitAll(scheduler, 16);
    expect(Int32Array.from(answers, (a) => a.exit)).toEqual(expected.exit);
    expect(adapter.status().seen).toBe(N / 4);
    expect(adapter.thresholds).toEqual([0.55, 0.55]);
  });
});

describe('who waits for whom', () => {
  let slow: ServedModel<OnnxValue>;
  let deep: number;
  let early: number;

  beforeAll(async () => {
    slow = await tinyModel({ delayMs: 25 });
    deep = expected.exit.indexOf(2);
    early = expected.exit.indexOf(0);
  });

  afterAll(async () => {
    await slow.release();
  });

  async function order(scheduler: Scheduler): Promise<string[]> {
    const done: string[] = [];
    const a = scheduler.submit(sample(inputs, deep)).then(() => done.push('deep'));
    await new Promise((resolve) => setTimeout(resolve, 10)); // the deep request is inside stage 0
    const b = scheduler.submit(sample(inputs, early)).then(() => done.push('early'));
    await Promise.all([a, b]);
    return done;
  }

  it('continuous batching lets a new request that exits early pass a slow earlier one', async () => {
    expect(await order(new StageScheduler(slow, { maxBatch: 8, maxWaitMs: 0, sampleFraction: 0 }))).toEqual(['early', 'deep']);
  });

  it('per-batch early exit holds the new request until the earlier batch is done', async () => {
    const perBatch = new DynamicBatcher('batch-exit', slow.inputSize, { maxBatch: 8, maxWaitMs: 0 }, batchEarlyExitRunner(slow));
    expect(await order(perBatch)).toEqual(['deep', 'early']);
  });

  it('a lone request waits at most the waiting bound per stage, not for a full batch', async () => {
    for (const scheduler of [
      new StageScheduler(model, { maxBatch: 64, maxWaitMs: 30, sampleFraction: 0 }),
      new DynamicBatcher('full', model.inputSize, { maxBatch: 64, maxWaitMs: 30 }, fullModelRunner(model)),
    ]) {
      const answer = await scheduler.submit(sample(inputs, early));
      // It waited for company (>= the bound, less a millisecond of timer slack) and was then run alone.
      expect(answer.serverMs).toBeGreaterThanOrEqual(29);
    }
  });

  it('a full batch runs at once, without waiting for the (one minute) bound', async () => {
    const scheduler = new StageScheduler(model, { maxBatch: 4, maxWaitMs: 60_000, sampleFraction: 0 });
    const firstFour = Array.from(expected.exit.entries())
      .filter(([, e]) => e === 0)
      .slice(0, 4)
      .map(([i]) => i);
    const answers = await Promise.all(firstFour.map((i) => scheduler.submit(sample(inputs, i))));
    expect(answers.map((a) => a.exit)).toEqual([0, 0, 0, 0]);
  });

  it('drain runs what is queued without waiting for fuller batches', async () => {
    const scheduler = new StageScheduler(model, { maxBatch: 64, maxWaitMs: 60_000, sampleFraction: 0 });
    const pending = scheduler.submit(sample(inputs, deep));
    await scheduler.drain();
    expect((await pending).exit).toBe(2);
  });
});
