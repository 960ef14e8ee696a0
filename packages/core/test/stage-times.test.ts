import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  computeExitCosts,
  createExitPolicy,
  impliedSpeedup,
  measureStageTimes,
  timeExitCosts,
} from '../src/index.js';
import { countingEngine } from './counting-engine.js';
import { randomInput, smallDenseEngine, testAgreement, testMaxProb } from './fixtures.js';

const dense = smallDenseEngine(2, [8, 8, 8], 6);
const context = { exits: 3, classes: 4 };
const costs = computeExitCosts(dense.macs());

describe('measureStageTimes', () => {
  it('times each stage with its head and each exit step, per row, with the clock it is given', async () => {
    // Each reading of the clock advances it by 1 s: stage = 1 s, head = 1 s, exit step = 1 s (its head run again: 1 s extra... none here).
    let t = 0;
    const policy = createExitPolicy({ gate: testMaxProb.create({}, context), thresholds: 0.5, costs });
    const times = await measureStageTimes(dense, policy, randomInput(4, 6), 4, { repetitions: 3, warmup: 1, now: () => (t += 1) });
    expect(times.batch).toBe(4);
    // started -> staged -> headed -> decided: (headed - started) = 2 clock steps over 4 rows.
    expect(times.stageSeconds).toEqual([0.5, 0.5, 0.5]);
    // (decided - headed) - (headed - staged) = 1 - 1 = 0; none at the last exit.
    expect(times.gateSeconds).toEqual([0, 0, 0]);
  });

  it('leaves no engine value behind, also for gates that need history', async () => {
    const engine = countingEngine(dense);
    const policy = createExitPolicy({ gate: testAgreement.create({ window: 1 }, context), thresholds: 1, costs });
    const times = await measureStageTimes(engine, policy, randomInput(5, 6), 5, { repetitions: 2 });
    expect(times.stageSeconds.every((s) => s > 0)).toBe(true);
    expect(engine.live()).toBe(0);
    await expect(measureStageTimes(engine, policy, randomInput(5, 6), 5, { repetitions: 0 })).rejects.toThrow(ArgumentError);
  });
});

describe('time costs', () => {
  const times = { batch: 1, stageSeconds: [1e-5, 2e-5, 4e-5], gateSeconds: [1e-6, 1e-6, 0] };
  it('accumulate measured seconds per row as a cost table in seconds', () => {
    const table = timeExitCosts(times);
    expect(table.unit).toBe('seconds');
    expect(table.cumulativeMacs[0]).toBeCloseTo(1.1e-5, 15);
    expect(table.cumulativeMacs[1]).toBeCloseTo(3.2e-5, 15);
    expect(table.cumulativeMacs[2]).toBeCloseTo(7.2e-5, 15);
    expect(table.backboneMacs).toBeCloseTo(7e-5, 15);
  });
  it('imply a speedup: the full cost over the mean cost of the exits taken', () => {
    const table = timeExitCosts(times);
    // exits 0, 0, 1, 2: mean (1.1 + 1.1 + 3.2 + 7.2) / 4 = 3.15e-5 s; full 7e-5 s
    expect(impliedSpeedup(table, [0, 0, 1, 2])).toBeCloseTo(7 / 3.15, 10);
    expect(impliedSpeedup(table, [2], 1e-4)).toBeCloseTo(1e-4 / 7.2e-5, 10);
    expect(computeExitCosts({ stageMacs: [1], headMacs: [1] }).unit).toBe('macs');
  });
});
