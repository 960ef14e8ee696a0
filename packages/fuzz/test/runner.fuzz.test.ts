import {
  collectTrace,
  computeExitCosts,
  createExitPolicy,
  createRng,
  DenseEngine,
  type DenseLayer,
  evaluateTrace,
  type ExitPolicy,
  GateRegistry,
  runEarlyExit,
  runEarlyExitPooled,
} from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED, Tally } from './tally.js';

const INPUT = 4;
const WIDTH = 5;
const CLASSES = 3;
const EXITS = 3;
const rng = createRng(7);
const dense = (inputs: number, outputs: number, relu: boolean): DenseLayer => ({
  weights: Float32Array.from({ length: inputs * outputs }, () => rng.next() * 2 - 1),
  bias: Float32Array.from({ length: outputs }, () => rng.next() * 0.2 - 0.1),
  relu,
});
const engine = new DenseEngine({
  inputSize: INPUT,
  classes: CLASSES,
  stages: [0, 1, 2].map((l) => [dense(l === 0 ? INPUT : WIDTH, WIDTH, true)]),
  heads: [0, 1, 2].map(() => dense(WIDTH, CLASSES, false)),
});
const registry = new GateRegistry();
registerBuiltinGates(registry);
const costs = computeExitCosts({ stageMacs: [20, 25, 25], headMacs: [15, 15, 15] });

/** Any gate spec a user might write: a known or unknown name, any options, built for any number of exits. */
const gateSpec = fc.record({
  name: fc.oneof({ arbitrary: fc.constantFrom(...registry.list()), weight: 6 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }),
  options: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.jsonValue(), weight: 1 },
    { arbitrary: fc.record({ patience: fc.integer({ min: -1, max: 4 }) }), weight: 1 },
  ),
  exits: fc.oneof({ arbitrary: fc.constant(EXITS), weight: 6 }, { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 1 }),
  classes: fc.oneof({ arbitrary: fc.constant(CLASSES), weight: 6 }, { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 1 }),
});
const thresholds = fc.oneof(
  { arbitrary: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: EXITS - 1, maxLength: EXITS - 1 }), weight: 4 },
  fc.constant(undefined),
  fc.double(),
  fc.array(fc.oneof(fc.double({ min: 0, max: 1 }), fc.double(), fc.constant(null)), { maxLength: 4 }),
);
/** A batch as the runner may receive it: any size, any values (NaN, infinities), any declared count. */
const inputs = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 6 }).chain((batch) =>
    fc.record({ batch: fc.constant(batch), values: fc.float32Array({ minLength: batch * INPUT, maxLength: batch * INPUT, noNaN: true, noDefaultInfinity: true }) }),
  ) },
  { weight: 1, arbitrary: fc.record({
    batch: fc.oneof(fc.integer({ min: -2, max: 8 }), fc.double()),
    values: fc.float32Array({ maxLength: 40 }),
  }) },
);

describe('the runner under fuzzed policies and inputs', () => {
  it('accepts or refuses with a typed error; what it accepts, the pooled runner and trace evaluation answer the same', async () => {
    const policies = new Tally('policy');
    const runs = new Tally('runner');
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(gateSpec, thresholds, inputs, async (spec, t, x) => {
        const policy: ExitPolicy | undefined = await policies.record(() => {
          const gate = registry.create({ name: spec.name, options: spec.options }, { exits: spec.exits, classes: spec.classes });
          return createExitPolicy({ gate, thresholds: t as number | number[] | undefined, costs });
        });
        if (!policy) return;
        const result = await runs.record(() => runEarlyExit(engine, policy, x.values, x.batch));
        if (!result) return;
        expect(result.batch).toBe(x.batch);
        for (let i = 0; i < result.batch; i++) {
          expect(result.exit[i]).toBeGreaterThanOrEqual(0);
          expect(result.exit[i]).toBeLessThan(EXITS);
          expect(result.prediction[i]).toBeLessThan(CLASSES);
        }
        const pooled = await runEarlyExitPooled(engine, policy, [{ input: x.values, batch: x.batch }], { minRows: 2 });
        const trace = await collectTrace(engine, x.values, x.batch, { hidden: policy.needs.hidden, similarity: policy.needs.similarity });
        const predicted = evaluateTrace(trace, policy.gate, policy.thresholds, policy.costs);
        for (const other of [pooled, predicted]) {
          expect(Array.from(other.exit)).toEqual(Array.from(result.exit));
          expect(Array.from(other.prediction)).toEqual(Array.from(result.prediction));
        }
        compared++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    policies.finish();
    runs.finish({ agreedWithPooledAndTrace: compared });
    expect(compared).toBeGreaterThan(100);
  });
});
