import { describe, expect, it } from 'vitest';
import {
  collectTrace,
  computeExitCosts,
  createExitPolicy,
  enterRows,
  evaluateTrace,
  leaves,
  runStageStep,
} from '../src/index.js';
import { countingEngine } from './counting-engine.js';
import { randomInput, smallDenseEngine, testAgreement, testMaxProb, testSimilarity } from './fixtures.js';

const dense = smallDenseEngine(4, [8, 8, 8], 6);
const costs = computeExitCosts(dense.macs());
const context = { exits: dense.exits, classes: dense.classes };
const n = 12;
const input = randomInput(n, 6, 9);

describe('the exit rule', () => {
  it('lets a row out when its score reaches the threshold, not below', () => {
    expect(leaves(0.5, 0.5)).toBe(true);
    expect(leaves(0.49999, 0.5)).toBe(false);
    expect(leaves(1, Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe('runStageStep', () => {
  it('decides one stage as trace evaluation does, and hands on exactly the staying rows, compacted', async () => {
    const gate = testMaxProb.create({}, context);
    const trace = await collectTrace(dense, input, n);
    const threshold = 0.6;
    const policy = createExitPolicy({ gate, thresholds: threshold, costs });
    const engine = countingEngine(dense);
    const group = await enterRows(engine, policy, input, n, 100);
    const outcome = await runStageStep(engine, policy, 0, group);
    const maxProb = Array.from({ length: n }, (_, i) => Math.max(...trace.probs[0]!.subarray(i * 4, i * 4 + 4)));
    expect(Array.from(outcome.leaving)).toEqual(maxProb.map((p) => (p >= Math.fround(threshold) ? 1 : 0)));
    expect(Array.from(outcome.samples)).toEqual(Array.from({ length: n }, (_, i) => 100 + i));
    expect(Array.from(outcome.logits)).toEqual(Array.from(trace.logits[0]!));
    const staying = Array.from({ length: n }, (_, i) => i).filter((i) => !outcome.leaving[i]);
    expect(staying.length).toBeGreaterThan(0);
    expect(staying.length).toBeLessThan(n);
    expect(Array.from(outcome.survivors!.samples)).toEqual(staying.map((i) => 100 + i));
    // The survivors' value holds the stage's features of exactly those rows.
    const features = await engine.toHost(outcome.survivors!.value);
    const all = await dense.toHost(await dense.runStage(0, await dense.fromHost(input, n)));
    expect(Array.from(features)).toEqual(staying.flatMap((i) => Array.from(all.subarray(i * 8, (i + 1) * 8))));
    // The step disposed the group's value and its own intermediate; the caller owns only the survivors.
    expect(engine.live()).toBe(1);
    engine.dispose(outcome.survivors!.value);
    expect(engine.live()).toBe(0);
  });

  it('carries history and previous features only for the rows that go on', async () => {
    const agreement = createExitPolicy({ gate: testAgreement.create({ window: 1 }, context), thresholds: 1, costs });
    const engine = countingEngine(dense);
    const first = await runStageStep(engine, agreement, 0, await enterRows(engine, agreement, input, n));
    expect(first.leaving.every((v) => v === 0)).toBe(true); // no history yet: nothing agrees
    const second = await runStageStep(engine, agreement, 1, first.survivors!);
    const rest = second.survivors!;
    expect(rest.history).toHaveLength(2);
    expect(rest.history[0]!.probs.length).toBe(rest.samples.length * 4);
    engine.dispose(rest.value);

    const similarity = createExitPolicy({ gate: testSimilarity.create({}, context), thresholds: 0.99, costs });
    const group = await enterRows(engine, similarity, input, n);
    expect(group.previousHidden).toBe(input);
    const step = await runStageStep(engine, similarity, 0, group);
    expect(step.survivors!.previousHidden!.length).toBe(step.survivors!.samples.length * 8);
    engine.dispose(step.survivors!.value);
    expect(engine.live()).toBe(0);
  });

  it('keeps rows that leave but must run on (runsOn), and never at the last exit', async () => {
    const policy = createExitPolicy({ gate: testMaxProb.create({}, context), thresholds: 0, costs });
    const engine = countingEngine(dense);
    const outcome = await runStageStep(engine, policy, 0, await enterRows(engine, policy, input, n), { runsOn: (i) => i % 3 === 0 });
    expect(outcome.leaving.every((v) => v === 1)).toBe(true);
    expect(Array.from(outcome.survivors!.samples)).toEqual([0, 3, 6, 9]);
    const second = await runStageStep(engine, policy, 1, outcome.survivors!, { runsOn: (i) => i < 2 });
    expect(Array.from(second.survivors!.samples)).toEqual([0, 3]);
    const end = await runStageStep(engine, policy, 2, second.survivors!, { runsOn: () => true });
    expect(Array.from(end.leaving)).toEqual([1, 1]);
    expect(end.survivors).toBeUndefined();
    expect(engine.live()).toBe(0);
  });

  it('disposes the group and every intermediate when the gate fails', async () => {
    const broken = { ...testMaxProb.create({}, context), score: () => { throw new RangeError('boom'); } };
    const policy = createExitPolicy({ gate: broken, thresholds: 0.5, costs });
    const engine = countingEngine(dense);
    await expect(runStageStep(engine, policy, 0, await enterRows(engine, policy, input, n))).rejects.toThrow('boom');
    expect(engine.live()).toBe(0);
  });

  it('agrees with evaluateTrace when chained over every stage', async () => {
    const gate = testMaxProb.create({}, context);
    const policy = createExitPolicy({ gate, thresholds: [0.55, 0.7], costs });
    const expected = evaluateTrace(await collectTrace(dense, input, n), gate, [0.55, 0.7], costs);
    const exit = new Int32Array(n).fill(-1);
    let group = await enterRows(dense, policy, input, n);
    for (let l = 0; l < dense.exits; l++) {
      const outcome = await runStageStep(dense, policy, l, group);
      outcome.samples.forEach((s, i) => {
        if (outcome.leaving[i]) exit[s] = l;
      });
      if (!outcome.survivors) break;
      group = outcome.survivors;
    }
    expect(exit).toEqual(expected.exit);
  });
});
