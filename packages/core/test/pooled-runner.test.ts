import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  collectTrace,
  computeExitCosts,
  CountMismatchError,
  defineGate,
  EmptyBatchError,
  evaluateTrace,
  type ExitResult,
  type Gate,
  InputShapeError,
  runEarlyExit,
  runEarlyExitPooled,
  scoreTrace,
  type StreamBatch, createExitPolicy
} from '../src/index.js';
import { countingEngine } from './counting-engine.js';
import { randomInput, smallDenseEngine, testAgreement, testHiddenMean, testMaxProb, testSimilarity } from './fixtures.js';

const dense = smallDenseEngine(3, [8, 8, 8, 8], 8);
const costs = computeExitCosts(dense.macs());
const context = { exits: dense.exits, classes: dense.classes };
const n = 150;
const size = 8;
const input = randomInput(n, size, 5);

function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Per-exit thresholds at score quantiles, so that samples leave at every exit. */
async function spreadThresholds(gate: Gate): Promise<number[]> {
  const trace = await collectTrace(dense, input, n, { similarity: true, hidden: true });
  return scoreTrace(trace, gate, costs).map((s, l) => quantile(s, l === 0 ? 0.6 : 0.5));
}

/** The stream cut into batches of the given sizes, repeated until every sample is in one. */
function* stream(sizes: readonly number[]): Generator<StreamBatch> {
  let start = 0;
  for (let k = 0; start < n; k++) {
    const batch = Math.min(sizes[k % sizes.length]!, n - start);
    yield { input: input.subarray(start * size, (start + batch) * size), batch };
    start += batch;
  }
}

async function* asyncStream(sizes: readonly number[]): AsyncGenerator<StreamBatch> {
  for (const b of stream(sizes)) yield b;
}

function expectSameResult(actual: ExitResult, expected: ExitResult): void {
  expect(actual.batch).toBe(expected.batch);
  expect(Array.from(actual.exit)).toEqual(Array.from(expected.exit));
  expect(Array.from(actual.prediction)).toEqual(Array.from(expected.prediction));
  expect(Array.from(actual.probs)).toEqual(Array.from(expected.probs));
  expect(Array.from(actual.logits)).toEqual(Array.from(expected.logits));
  expect(Array.from(actual.cost)).toEqual(Array.from(expected.cost));
  expect(Array.from(actual.macs)).toEqual(Array.from(expected.macs));
}

const gates: Gate[] = [
  testMaxProb.create({}, context),
  testAgreement.create({ window: 1 }, context),
  testSimilarity.create({}, context),
  testHiddenMean.create({}, context),
];

const settings: { sizes: number[]; minRows: number }[] = [
  { sizes: [16], minRows: 16 },
  { sizes: [7], minRows: 20 },
  { sizes: [1], minRows: 32 },
  { sizes: [40], minRows: 1 },
  { sizes: [5, 33, 1, 12], minRows: 25 },
  { sizes: [10], minRows: 1000 },
];

describe('pooled early exit agrees with trace evaluation, sample for sample', () => {
  for (const gate of gates) {
    for (const { sizes, minRows } of settings) {
      it(`${gate.name}, batches of ${sizes.join('/')}, minRows ${minRows}`, async () => {
        const thresholds = gate.name === 'test-agreement' ? [1, 1, 2] : await spreadThresholds(gate);
        const trace = await collectTrace(dense, input, n, { batchSize: 50, similarity: true, hidden: true });
        const expected = evaluateTrace(trace, gate, thresholds, costs);
        const engine = countingEngine(dense);
        const result = await runEarlyExitPooled(engine, createExitPolicy({ gate, thresholds, costs }), stream(sizes), { minRows });
        expectSameResult(result, expected);
        expect(engine.live()).toBe(0);
        // Every stage call but the last (the flush) has at least minRows rows.
        for (const calls of engine.stageRows) {
          for (const rows of calls.slice(0, -1)) expect(rows).toBeGreaterThanOrEqual(Math.min(minRows, n));
        }
        if (gate.name !== 'test-agreement') {
          for (let l = 0; l < 4; l++) expect(result.exit.includes(l)).toBe(true);
        }
      });
    }
  }

  it('takes an async stream, and equals runEarlyExit batch by batch', async () => {
    const gate = gates[2]!;
    const thresholds = await spreadThresholds(gate);
    const engine = countingEngine(dense);
    const pooled = await runEarlyExitPooled(engine, createExitPolicy({ gate, thresholds, costs }), asyncStream([9]), { minRows: 30 });
    const parts: ExitResult[] = [];
    for (const b of stream([9])) parts.push(await runEarlyExit(dense, createExitPolicy({ gate, thresholds, costs }), b.input, b.batch));
    expect(Array.from(pooled.exit)).toEqual(parts.flatMap((p) => Array.from(p.exit)));
    expect(Array.from(pooled.logits)).toEqual(parts.flatMap((p) => Array.from(p.logits)));
    expect(engine.live()).toBe(0);
  });

  it('runs late stages on fuller batches than the per-batch runner', async () => {
    const gate = gates[0]!;
    const thresholds = await spreadThresholds(gate);
    const perBatch = countingEngine(dense);
    for (const b of stream([16])) await runEarlyExit(perBatch, createExitPolicy({ gate, thresholds, costs }), b.input, b.batch);
    const pooled = countingEngine(dense);
    await runEarlyExitPooled(pooled, createExitPolicy({ gate, thresholds, costs }), stream([16]), { minRows: 16 });
    const meanRows = (calls: number[]) => calls.reduce((a, b) => a + b, 0) / calls.length;
    for (let l = 1; l < 4; l++) {
      expect(pooled.stageRows[l]!.length).toBeLessThan(perBatch.stageRows[l]!.length);
      expect(meanRows(pooled.stageRows[l]!)).toBeGreaterThan(meanRows(perBatch.stageRows[l]!));
    }
    // Both ran every row that reached a stage through it exactly once.
    const total = (calls: number[]) => calls.reduce((a, b) => a + b, 0);
    expect(pooled.stageRows.map(total)).toEqual(perBatch.stageRows.map(total));
  });
});

describe('DenseEngine.concat', () => {
  it('stacks rows in order', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4]), batch: 2 };
    const b = { data: Float32Array.from([5, 6]), batch: 1 };
    const joined = dense.concat([a, b]);
    expect(joined.batch).toBe(3);
    expect(Array.from(joined.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('rejects parts of different row sizes', () => {
    expect(() => dense.concat([{ data: new Float32Array(4), batch: 2 }, { data: new Float32Array(3), batch: 1 }])).toThrow(
      CountMismatchError,
    );
  });
});

describe('pooled runner: bad input', () => {
  const gate = gates[0]!;
  const policy = createExitPolicy({ gate, thresholds: 0.6, costs });

  it('an engine without concat is an ArgumentError naming it', async () => {
    const error = await runEarlyExitPooled(countingEngine(dense, { concat: false }), policy, stream([10]), {
      minRows: 4,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('engine.concat');
  });

  it('minRows must be a whole number >= 1', async () => {
    for (const minRows of [0, 2.5, Number.NaN]) {
      const error = await runEarlyExitPooled(dense, policy, stream([10]), { minRows }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('options.minRows');
    }
  });

  it('batches must be iterable, and not empty', async () => {
    const notIterable = 42 as unknown as Iterable<StreamBatch>;
    await expect(runEarlyExitPooled(dense, policy, notIterable, { minRows: 2 })).rejects.toThrow(/batches: expected an iterable/);
    await expect(runEarlyExitPooled(dense, policy, [], { minRows: 2 })).rejects.toThrow(EmptyBatchError);
  });

  it('a bad batch names its index, and every engine value is disposed', async () => {
    const engine = countingEngine(dense);
    const batches: StreamBatch[] = [
      { input: input.subarray(0, 3 * size), batch: 3 },
      { input: input.subarray(0, 3 * size), batch: 3 },
      { input: new Float32Array(5), batch: 1 },
    ];
    const error = await runEarlyExitPooled(engine, policy, batches, { minRows: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputShapeError);
    expect((error as InputShapeError).field).toBe('batches[2].input.length');
    expect(engine.live()).toBe(0);
    const nullBatch = [null] as unknown as StreamBatch[];
    await expect(runEarlyExitPooled(engine, policy, nullBatch, { minRows: 1 })).rejects.toThrow(/batches\[0\]/);
  });

  it('a gate that fails mid-stream leaves no engine value behind', async () => {
    let calls = 0;
    const failing = defineGate({
      name: 'fails-later',
      range: { min: 0, max: 1 },
      defaultThreshold: 0.5,
      score: () => (signal) => {
        calls++;
        if (calls === 3) throw new RangeError('gate failed');
        return new Float32Array(signal.batch).fill(signal.exit === 0 ? 0 : 1);
      },
    }).create({}, context);
    const engine = countingEngine(dense);
    await expect(
      runEarlyExitPooled(engine, createExitPolicy({ gate: failing, thresholds: 0.5, costs }), stream([10]), { minRows: 20 }),
    ).rejects.toThrow('gate failed');
    expect(engine.live()).toBe(0);
  });

  it('the wrong cost table is a CountMismatchError, and so is a gate created for another network', async () => {
    const other = computeExitCosts({ stageMacs: [1, 2], headMacs: [1, 1] });
    // A gate created for this 4-exit network does not fit a 2-exit cost table...
    expect(() => createExitPolicy({ gate, thresholds: 0.5, costs: other })).toThrow(/policy\.gate: expected a gate created for 2 exits/);
    // ...and a policy made for 2 exits does not fit this engine.
    const twoExits = createExitPolicy({ gate: testMaxProb.create({}, { exits: 2, classes: dense.classes }), thresholds: 0.5, costs: other });
    await expect(runEarlyExitPooled(dense, twoExits, stream([10]), { minRows: 2 })).rejects.toThrow(CountMismatchError);
    // A gate created for another class count is refused at the runner's boundary.
    const otherClasses = createExitPolicy({ gate: testMaxProb.create({}, { exits: dense.exits, classes: dense.classes + 1 }), thresholds: 0.5, costs });
    await expect(runEarlyExitPooled(dense, otherClasses, stream([10]), { minRows: 2 })).rejects.toThrow(/policy\.gate: expected a gate created for \d+ classes/);
    // Something that is not an ExitPolicy is an ArgumentError, not a TypeError.
    await expect(runEarlyExitPooled(dense, { gate } as never, stream([10]), { minRows: 2 })).rejects.toThrow(/policy: expected an ExitPolicy/);
  });
});
