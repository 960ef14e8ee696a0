import { describe, expect, it } from 'vitest';
import {
  collectTrace,
  computeExitCosts,
  EmptyBatchError,
  evaluateTrace,
  type Gate,
  InputShapeError,
  NonFiniteInputError,
  runEarlyExit,
  scoreTrace,
  ThresholdRangeError,
  CountMismatchError, createExitPolicy
} from '../src/index.js';
import { randomInput, smallDenseEngine, testAgreement, testHiddenMean, testMaxProb, testSimilarity } from './fixtures.js';

const engine = smallDenseEngine(1, [8, 8, 8], 8);
const costs = computeExitCosts(engine.macs());
const context = { exits: engine.exits, classes: engine.classes };
const n = 200;
const input = randomInput(n, 8);

function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Per-exit thresholds at score quantiles, so that samples leave at every exit. */
async function spreadThresholds(gate: Gate): Promise<number[]> {
  const trace = await collectTrace(engine, input, n, { similarity: true, hidden: true });
  return scoreTrace(trace, gate, costs).map((s, l) => quantile(s, l === 0 ? 0.7 : 0.5));
}

const gates: Gate[] = [
  testMaxProb.create({}, context),
  testAgreement.create({ window: 1 }, context),
  testSimilarity.create({}, context),
  testHiddenMean.create({}, context),
];

describe('real early exit agrees with trace evaluation', () => {
  for (const gate of gates) {
    for (const batch of [1, 7, 64]) {
      it(`${gate.name}, batch ${batch}`, async () => {
        const thresholds = gate.name === 'test-agreement' ? [1, 1] : await spreadThresholds(gate);
        const trace = await collectTrace(engine, input, n, { batchSize: 50, similarity: true, hidden: true });
        const expected = evaluateTrace(trace, gate, thresholds, costs);
        const exits = new Int32Array(n);
        for (let start = 0; start < n; start += batch) {
          const count = Math.min(batch, n - start);
          const chunk = input.subarray(start * 8, (start + count) * 8);
          const result = await runEarlyExit(engine, createExitPolicy({ gate, thresholds, costs }), chunk, count);
          for (let i = 0; i < count; i++) {
            exits[start + i] = result.exit[i]!;
            expect(result.prediction[i]).toBe(expected.prediction[start + i]);
            expect(result.cost[i]).toBe(expected.cost[start + i]);
            expect(Array.from(result.probs.subarray(i * 4, i * 4 + 4))).toEqual(
              Array.from(expected.probs.subarray((start + i) * 4, (start + i) * 4 + 4)),
            );
          }
        }
        expect(Array.from(exits)).toEqual(Array.from(expected.exit));
        if (gate.name !== 'test-agreement') {
          // the thresholds were chosen so that every exit is used
          for (let l = 0; l < 3; l++) expect(exits.includes(l)).toBe(true);
        }
      });
    }
  }
});

describe('runner outputs', () => {
  it('never exits early when thresholds are above every score, and costs 1', async () => {
    const gate = testMaxProb.create({}, context);
    const trace = await collectTrace(engine, input, n);
    const maxScore = Math.max(...scoreTrace(trace, gate, costs).flatMap((s) => Array.from(s)));
    if (maxScore < 1) {
      const result = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: 1, costs }), input, n);
      expect(new Set(result.exit)).toEqual(new Set([2]));
      expect(Array.from(result.cost).every((c) => c === 1)).toBe(true);
    }
    const all = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: 0, costs }), input, n);
    expect(Array.from(all.exit).every((e) => e === 0)).toBe(true);
    expect(all.macs[0]).toBe(costs.cumulativeMacs[0]);
  });
});

describe('bad input', () => {
  const gate = testMaxProb.create({}, context);
  const policy = createExitPolicy({ gate, thresholds: 0.9, costs });
  it('wrong input length names the field and both sizes', async () => {
    const error = await runEarlyExit(engine, policy, new Float32Array(15), 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputShapeError);
    expect((error as InputShapeError).field).toBe('input.length');
    expect((error as InputShapeError).message).toContain('expected 16 values');
    expect((error as InputShapeError).message).toContain('received 15 values');
  });
  it('NaN in the input names the index', async () => {
    const data = randomInput(2, 8);
    data[7] = Number.NaN;
    await expect(runEarlyExit(engine, policy, data, 2)).rejects.toThrow(NonFiniteInputError);
    await expect(runEarlyExit(engine, policy, data, 2)).rejects.toThrow(/input\[7\]: expected a finite number, received NaN/);
  });
  it('an empty batch is an EmptyBatchError', async () => {
    await expect(runEarlyExit(engine, policy, new Float32Array(0), 0)).rejects.toThrow(EmptyBatchError);
  });
  it('a threshold outside the gate range is a ThresholdRangeError naming it', async () => {
    expect(() => createExitPolicy({ gate, thresholds: [0.5, 1.5], costs })).toThrow(
      /thresholds\[1\]: expected a number in \[0, 1\]/,
    );
    expect(() => createExitPolicy({ gate, thresholds: [0.5, Number.NaN], costs })).toThrow(
      ThresholdRangeError,
    );
  });
  it('the wrong number of thresholds is a CountMismatchError', async () => {
    expect(() => createExitPolicy({ gate, thresholds: [0.5, 0.5, 0.5], costs })).toThrow(
      CountMismatchError,
    );
  });
  it('a gate that returns the wrong number of scores is reported', async () => {
    const broken: Gate = { ...gate, name: 'broken', score: () => new Float32Array(1) };
    await expect(runEarlyExit(engine, createExitPolicy({ gate: broken, thresholds: 0.5, costs }), input.subarray(0, 40), 5)).rejects.toThrow(
      /gate "broken" score at exit 0: expected a Float32Array of 5 scores, received 1 scores/,
    );
  });
  it('a trace without the hidden states a gate needs is reported', async () => {
    const trace = await collectTrace(engine, input.subarray(0, 80), 10);
    expect(() => scoreTrace(trace, testHiddenMean.create({}, context), costs)).toThrow(/trace.hidden/);
  });
});
