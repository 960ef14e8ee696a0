import {
  collectTrace,
  createExitPolicy,
  evaluateTrace,
  type Gate,
  type GateContext,
  runEarlyExit,
  scoreTrace,
} from '@offramp/core';
import {
  entropyGate,
  hiddenStateGate,
  jeiGate,
  marginGate,
  maxProbGate,
  patienceGate,
  powerEntropyGate,
} from '@offramp/gates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledEarlyExit, compileEarlyExit, loadWebRuntime, OnnxEngine, type OrtRuntime } from '../src/index.js';
import { type TinyNet, tinyCnn, tinyMlp } from './compile-nets.js';
import { maxAbsDiff, nodeRuntime, uniform } from './helpers.js';

const N = 128;
const BATCHES = [1, 7, N] as const;

const wave = (size: number, l: number) => Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + l) * 0.6);

interface Case {
  readonly label: string;
  readonly net: 'mlp' | 'cnn';
  readonly make: (context: GateContext) => Gate;
}

const CASES: readonly Case[] = [
  { label: 'max-prob', net: 'mlp', make: (c) => maxProbGate.create({}, c) },
  { label: 'margin', net: 'mlp', make: (c) => marginGate.create({}, c) },
  { label: 'entropy', net: 'mlp', make: (c) => entropyGate.create({}, c) },
  { label: 'power-entropy', net: 'mlp', make: (c) => powerEntropyGate.create({}, c) },
  { label: 'patience', net: 'mlp', make: (c) => patienceGate.create({ patience: 1 }, c) },
  {
    label: 'jei',
    net: 'mlp',
    // g_0 <= 0.5 and g_1 < 0.5, so q_1 = g_1 / (1 - g_0) < 1: some threshold lets no row out early.
    make: (c) => jeiGate.create({ weights: [[2, -0.5, 1.5, -0.5], [1.5, -0.5, 1, 0.2]], biases: [-3.5, -3] }, c),
  },
  {
    label: 'hidden-state',
    net: 'mlp',
    make: (c) => hiddenStateGate.create({ weights: [wave(8, 0), wave(8, 1)], biases: [0.2, -0.1] }, c),
  },
  {
    label: 'hidden-state (NCHW features)',
    net: 'cnn',
    make: (c) => hiddenStateGate.create({ weights: [wave(75, 0), wave(36, 1)], biases: [0, 0.3] }, c),
  },
  { label: 'entropy (CNN)', net: 'cnn', make: (c) => entropyGate.create({}, c) },
];

type Regime = 'all leave at the first exit' | 'none leave early' | 'some leave early';

/** A threshold per gated exit for the regime, chosen away from every score (no near ties). */
function thresholdsFor(regime: Regime, gate: Gate, scores: readonly Float32Array[]): number[] {
  const { min, max } = gate.range;
  return scores.map((s) => {
    const sorted = Float64Array.from(s).sort();
    const top = sorted[sorted.length - 1]!;
    const above = max - top > 1e-6 ? top + (max - top) / 2 : max;
    if (regime === 'all leave at the first exit') return min;
    if (regime === 'none leave early') return above;
    const middle = Math.floor(sorted.length / 2);
    for (let d = 0; d < sorted.length; d++) {
      for (const i of [middle + d, middle - d]) {
        const a = sorted[i];
        const b = sorted[i + 1];
        if (a !== undefined && b !== undefined && b - a > 1e-5) return (a + b) / 2;
      }
    }
    return above;
  });
}

const REGIMES: readonly Regime[] = ['all leave at the first exit', 'none leave early', 'some leave early'];

describe.each([
  ['onnxruntime-node', nodeRuntime],
  ['onnxruntime-web', loadWebRuntime],
] as const)('compiled early exit = runEarlyExit = evaluateTrace, sample for sample (%s)', (_name, load) => {
  const nets: Record<Case['net'], TinyNet> = { mlp: tinyMlp(), cnn: tinyCnn() };
  const engines = new Map<Case['net'], OnnxEngine>();
  let runtime: OrtRuntime;

  beforeAll(async () => {
    runtime = await load();
    for (const key of ['mlp', 'cnn'] as const) engines.set(key, await OnnxEngine.create(runtime, nets[key].bundle));
  });
  afterAll(async () => {
    for (const engine of engines.values()) await engine.release();
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s at batch 1, 7 and 128, three threshold regimes', async (_label, c) => {
    const net = nets[c.net];
    const engine = engines.get(c.net)!;
    const gate = c.make({ exits: 3, classes: net.classes, hiddenSizes: net.hiddenSizes });
    const hidden = gate.needs.includes('hidden');
    const size = net.inputShape.reduce((a, b) => a * b, 1);
    const input = uniform(N * size, 21);
    const full = scoreTrace(await collectTrace(engine, input, N, { hidden }), gate, net.costs);

    for (const regime of REGIMES) {
      const thresholds = thresholdsFor(regime, gate, full);
      const compiled = await CompiledEarlyExit.create(runtime, compileEarlyExit(net.bundle, { gate, thresholds }));
      for (const batch of BATCHES) {
        const x = input.subarray(0, batch * size);
        const trace = await collectTrace(engine, x, batch, { hidden });
        const expected = evaluateTrace(trace, gate, thresholds, net.costs);
        const real = await runEarlyExit(engine, createExitPolicy({ gate, thresholds, costs: net.costs }), x, batch);
        const got = await compiled.run(x, batch);
        const where = `${regime}, batch ${batch}`;

        expect(Array.from(got.exit), where).toEqual(Array.from(expected.exit));
        expect(Array.from(real.exit), where).toEqual(Array.from(expected.exit));
        expect(Array.from(got.prediction), where).toEqual(Array.from(expected.prediction));
        expect(Array.from(real.prediction), where).toEqual(Array.from(expected.prediction));
        expect(maxAbsDiff(got.logits, expected.logits), where).toBeLessThan(1e-5);
        expect(maxAbsDiff(got.logits, real.logits), where).toBeLessThan(1e-5);

        // The score output is the gate's score at the exit taken (checked where the trace has one).
        const scores = scoreTrace(trace, gate, net.costs);
        for (let i = 0; i < batch; i++) {
          const l = got.exit[i]!;
          if (l < scores.length) expect(Math.abs(got.score[i]! - scores[l]![i]!), `${where}, row ${i}`).toBeLessThanOrEqual(1.5e-7);
        }

        if (batch === N) {
          const distinct = new Set(got.exit);
          if (regime === 'all leave at the first exit') expect([...distinct]).toEqual([0]);
          if (regime === 'none leave early') expect([...distinct]).toEqual([2]);
          if (regime === 'some leave early') expect(distinct.size, `exits taken: ${[...distinct]}`).toBeGreaterThan(1);
        }
      }
      await compiled.release();
    }
  });
});
