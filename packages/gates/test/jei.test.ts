import {
  collectTrace,
  computeExitCosts,
  createRng,
  evaluateTrace,
  type ExitSignal,
  GateOptionsError,
  CountMismatchError,
  runEarlyExit,
  validateGateOptions,
  InputShapeError, createExitPolicy
} from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  conditionalExitProbabilities,
  exitDistribution,
  exitProbabilityAt,
  hiddenStateGate,
  jeiGate,
  sigmoid,
} from '../src/index.js';
import { catchError } from './catch-error.js';
import { createMlpEngine } from './mlp-engine.js';

const close = (received: ArrayLike<number>, expected: number[], digits = 6) => {
  expect(received.length).toBe(expected.length);
  expected.forEach((v, i) => {
    expect(received[i]).toBeCloseTo(v, digits);
  });
};

describe('JEI-DNN exit distribution and inference rule (hand-computed)', () => {
  it('pi_l = max(0, min(g_l, 1 - sum_{k<l} g_k)), pi_L = 1 - sum pi', () => {
    close(exitDistribution([0.2, 0.1]), [0.2, 0.1, 0.7]);
    close(exitDistribution([0.3, 0.5, 0.4]), [0.3, 0.5, 0.2, 0]);
    close(exitDistribution([0.6, 0.7, 0.5]), [0.6, 0.4, 0, 0]);
    close(exitDistribution([]), [1]);
  });

  it('q_l = clip(pi_l / prod_{k<l}(1 - q_k), 0, 1), and 1 once nothing is left', () => {
    close(conditionalExitProbabilities([0.2, 0.1, 0.7]), [0.2, 0.125, 1]);
    close(conditionalExitProbabilities([0.3, 0.5, 0.2, 0]), [0.3, 0.5 / 0.7, 1, 1]);
    close(conditionalExitProbabilities([0.6, 0.4, 0, 0]), [0.6, 1, 1, 1]);
  });

  it('exitProbabilityAt agrees with the full recursion up to each exit', () => {
    const gates = [0.3, 0.5, 0.4];
    const q = conditionalExitProbabilities(exitDistribution(gates));
    for (let l = 0; l < gates.length; l++) expect(exitProbabilityAt(gates.slice(0, l + 1))).toBeCloseTo(q[l]!, 12);
    expect(exitProbabilityAt([0.6, 0.7, 0.5])).toBe(1);
  });

  it('sigmoid is stable at both ends', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-0.3)).toBeCloseTo(1 / (1 + Math.exp(0.3)), 15);
  });
});

describe('the jei gate plugin', () => {
  const context = { exits: 3, classes: 3 };
  const options = { weights: [[1, 0, 0, 0], [0, 0, 1, 0]], biases: [-1, -0.5] };
  const gate = jeiGate.create(validateGateOptions(jeiGate, options), context);
  const p0 = Float32Array.from([0.7, 0.2, 0.1]);
  const p1 = Float32Array.from([0.5, 0.3, 0.2]);
  const signal = (exit: number, probs: Float32Array, history: ExitSignal['history']): ExitSignal => ({
    exit, exits: 3, batch: 1, classes: 3, probs, logits: probs.map(Math.log), cost: 0.5, history,
  });

  it('scores q_l from the uncertainty features: g = sigmoid(w . phi + b)', () => {
    // exit 0: a = max p - 1 = -0.3, q_0 = g_0 = sigmoid(-0.3)
    const s = sigmoid(-0.3);
    close(gate.score(signal(0, p0, [])), [s]);
    // exit 1: a = margin - 0.5 = 0.2 - 0.5 = -0.3, pi_1 = min(s, 1 - s) = s, q_1 = s / (1 - s) = e^-0.3
    close(gate.score(signal(1, p1, [{ exit: 0, logits: p0, probs: p0 }])), [Math.exp(-0.3)], 5);
    expect(gate.defaultThreshold).toBe(0.5);
    expect(gate.needs).toEqual(['history']);
    expect(gate.macs(0)).toBe(9 * 3 + 4 + 8);
  });

  it('rejects weights that do not fit the network', () => {
    const error = catchError(() => jeiGate.create(validateGateOptions(jeiGate, { weights: [[1, 0, 0, 0]], biases: [0] }), context));
    expect(error).toBeInstanceOf(CountMismatchError);
    expect((error as CountMismatchError).field).toBe('options.weights.length');
    const row = catchError(() => jeiGate.create(validateGateOptions(jeiGate, { weights: [[1, 0, 0], [0, 0, 1, 0]], biases: [0, 0] }), context));
    expect((row as CountMismatchError).field).toBe('options.weights[0].length');
    const bad = catchError(() => validateGateOptions(jeiGate, { weights: 'x', biases: [] }));
    expect(bad).toBeInstanceOf(GateOptionsError);
    expect(() => gate.score(signal(1, p1, undefined))).toThrow(/history/);
  });
});

describe('the hidden-state gate plugin (BERxiT)', () => {
  const context = { exits: 3, classes: 2, hiddenSizes: [2, 3, 3] };
  const options = { weights: [[1, -1], [0.5, 0, 2]], biases: [0, -1] };
  const gate = hiddenStateGate.create(validateGateOptions(hiddenStateGate, options), context);
  it('scores sigmoid(w . h + b) per sample', () => {
    const hidden = Float32Array.from([2, 1, 0, 3]);
    const probs = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
    const scores = gate.score({ exit: 0, exits: 3, batch: 2, classes: 2, probs, logits: probs, cost: 0.3, hidden, hiddenSize: 2 });
    close(scores, [sigmoid(1), sigmoid(-3)]);
    expect(gate.macs(1)).toBe(4);
  });
  it('rejects weights of the wrong size and a missing hidden state', () => {
    const error = catchError(() => hiddenStateGate.create({ weights: [[1], [0.5, 0, 2]], biases: [0, 0] }, context));
    expect((error as GateOptionsError).field).toBe('options.weights[0].length');
    const probs = Float32Array.from([0.5, 0.5]);
    expect(() => gate.score({ exit: 0, exits: 3, batch: 1, classes: 2, probs, logits: probs, cost: 0.3 })).toThrow(/hidden/);
    const wrong = catchError(() =>
      gate.score({ exit: 0, exits: 3, batch: 1, classes: 2, probs, logits: probs, cost: 0.3, hidden: new Float32Array(3), hiddenSize: 3 }),
    );
    expect(wrong).toBeInstanceOf(InputShapeError);
  });
});

describe('learned gates: real early exit agrees with trace evaluation', () => {
  const exits = 4;
  const classes = 5;
  const inputSize = 6;
  const hiddenSize = 8;
  const n = 90;
  const engine = createMlpEngine({ seed: 3, inputSize, hiddenSize, classes, exits });
  const rng = createRng(5);
  const input = Float32Array.from({ length: n * inputSize }, () => 2 * rng.next() - 1);
  const random = (length: number, scale: number) => Array.from({ length }, () => (2 * rng.next() - 1) * scale);
  const jei = jeiGate.create(
    { weights: [random(4, 3), random(4, 3), random(4, 3)], biases: [-0.5, 0, 0.5] },
    { exits, classes },
  );
  const hidden = hiddenStateGate.create(
    { weights: [random(hiddenSize, 1), random(hiddenSize, 1), random(hiddenSize, 1)], biases: [0, 0, 0] },
    { exits, classes, hiddenSizes: [hiddenSize, hiddenSize, hiddenSize, hiddenSize] },
  );
  for (const gate of [jei, hidden]) {
    it(gate.name, async () => {
      const costs = computeExitCosts({
        stageMacs: engine.stageMacs,
        headMacs: engine.headMacs,
        gateMacs: [0, 1, 2, 3].map((l) => gate.macs(l)),
      });
      const trace = await collectTrace(engine, input, n, { batchSize: 32, hidden: true });
      const expected = evaluateTrace(trace, gate, 0.5, costs);
      expect(new Set(expected.exit).size).toBeGreaterThanOrEqual(2);
      for (const batchSize of [1, 7, 64]) {
        for (let start = 0; start < n; start += batchSize) {
          const count = Math.min(batchSize, n - start);
          const chunk = input.subarray(start * inputSize, (start + count) * inputSize);
          const real = await runEarlyExit(engine, createExitPolicy({ gate, thresholds: 0.5, costs }), chunk, count);
          expect(real.exit).toEqual(expected.exit.subarray(start, start + count));
          expect(real.prediction).toEqual(expected.prediction.subarray(start, start + count));
        }
      }
      expect(engine.live()).toBe(0);
    });
  }
});
