import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError, validateGateOptions } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitDistribution, hiddenStateGate, jeiGate, uncertaintyFeatures } from '../src/index.js';
import {
  createHiddenStateGates,
  createJeiGates,
  exitDistributionTensor,
  uncertaintyFeaturesTensor,
} from '../src/training/index.js';
import { catchError } from './catch-error.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const probsRows = [
  [0.7, 0.2, 0.1],
  [0.2, 0.2, 0.6],
  [1, 0, 0],
  [1 / 3, 1 / 3, 1 / 3],
];

/** Central differences of f at x (a flat array), one entry per coordinate. */
function finiteDifferences(f: (x: number[]) => number, x: number[], step = 1e-3): number[] {
  return x.map((_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i]! += step;
    minus[i]! -= step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}

describe('uncertaintyFeaturesTensor', () => {
  it('equals the host features, and its gradient is stopped (zero)', () => {
    const probs = tf.tensor2d(probsRows);
    const phi = uncertaintyFeaturesTensor(probs);
    const host = uncertaintyFeatures(Float32Array.from(probsRows.flat()), 3);
    Array.from(phi.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(host[i]!, 5);
    });
    const grad = tf.grad((p: tf.Tensor) => tf.sum(uncertaintyFeaturesTensor(p as tf.Tensor2D)))(probs);
    expect(Array.from(grad.dataSync())).toEqual(new Array(12).fill(0));
    tf.dispose([probs, phi, grad]);
  });
  it('rejects a tensor that is not batch x classes', () => {
    const x = tf.zeros([3]);
    expect(catchError(() => uncertaintyFeaturesTensor(x as tf.Tensor2D))).toBeInstanceOf(InputShapeError);
    x.dispose();
  });
});

describe('exitDistributionTensor', () => {
  const gates = [
    [0.2, 0.1, 0.5],
    [0.3, 0.5, 0.4],
    [0.6, 0.7, 0.5],
  ];
  it('equals the host exit distribution', () => {
    const pi = exitDistributionTensor(tf.tensor2d(gates));
    const rows = pi.arraySync();
    gates.forEach((g, i) => {
      const expected = exitDistribution(g);
      rows[i]!.forEach((v, l) => {
        expect(v).toBeCloseTo(expected[l]!, 6);
      });
    });
    pi.dispose();
  });
  it('has the gradient of finite differences', () => {
    const coefficients = tf.tensor2d([[1, -2, 3, 0.5], [0.3, 2, -1, 1], [2, 1, 1, -1]]);
    const objective = (g: tf.Tensor) => tf.sum(tf.mul(exitDistributionTensor(g as tf.Tensor2D), coefficients));
    // away from the kinks of min and max
    const x = [0.2, 0.1, 0.5, 0.3, 0.5, 0.4, 0.6, 0.7, 0.5];
    const grad = tf.tidy(() => Array.from(tf.grad(objective)(tf.tensor2d(x, [3, 3])).dataSync()));
    const numeric = finiteDifferences((v) => tf.tidy(() => objective(tf.tensor2d(v, [3, 3])).dataSync()[0]!), x);
    grad.forEach((v, i) => {
      expect(v).toBeCloseTo(numeric[i]!, 2);
    });
    coefficients.dispose();
  });
});

describe('createJeiGates', () => {
  it('forward gives pi rows that sum to 1, and the exported plugin scores the same q', () => {
    const gates = createJeiGates({ exits: 3, seed: 1, name: 'jei-test-a' });
    const probs = [tf.tensor2d(probsRows), tf.tensor2d([...probsRows].reverse()), tf.tensor2d(probsRows)];
    const out = gates.forward(probs);
    expect(out.pi.shape).toEqual([4, 3]);
    tf.sum(out.pi, 1).dataSync().forEach((s) => {
      expect(s).toBeCloseTo(1, 6);
    });
    const plugin = jeiGate.create(validateGateOptions(jeiGate, gates.exportWeights()), { exits: 3, classes: 3 });
    const host = probs.map((p) => p.dataSync() as Float32Array);
    const g = out.gates.arraySync();
    const q0 = plugin.score({ exit: 0, exits: 3, batch: 4, classes: 3, probs: host[0]!, logits: host[0]!, cost: 0.3, history: [] });
    q0.forEach((v, i) => {
      expect(v).toBeCloseTo(g[i]![0]!, 5);
    });
    const q1 = plugin.score({
      exit: 1, exits: 3, batch: 4, classes: 3, probs: host[1]!, logits: host[1]!, cost: 0.6,
      history: [{ exit: 0, logits: host[0]!, probs: host[0]! }],
    });
    const pi = out.pi.arraySync();
    q1.forEach((v, i) => {
      expect(v).toBeCloseTo(Math.min(1, pi[i]![1]! / (1 - pi[i]![0]!)), 5);
    });
    tf.dispose([...probs, out.logits, out.gates, out.pi]);
    gates.dispose();
  });

  it('gradients of the weights agree with finite differences; no tensor leaks', () => {
    const gates = createJeiGates({ exits: 3, seed: 2, name: 'jei-test-b' });
    const probs = [tf.tensor2d(probsRows), tf.tensor2d([...probsRows].reverse())];
    const coefficients = tf.tensor2d([[1, -2, 3], [0.3, 2, -1], [2, 1, 1], [-1, 0.5, 2]]);
    const objective = () => tf.tidy(() => {
      const out = gates.forward(probs);
      return tf.sum(tf.mul(out.pi, coefficients)) as tf.Scalar;
    });
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      const { grads, value } = tf.variableGrads(objective, [gates.weight]);
      tf.dispose([value, grads]);
    }
    expect(tf.memory().numTensors).toBe(before);
    const { grads, value } = tf.variableGrads(objective, [gates.weight]);
    const analytic = Array.from(grads[gates.weight.name]!.dataSync());
    tf.dispose([value, grads]);
    const start = gates.exportWeights();
    const numeric = finiteDifferences((w) => {
      gates.assignWeights({ weights: [w.slice(0, 4), w.slice(4, 8)], biases: start.biases });
      const v = objective();
      const out = v.dataSync()[0]!;
      v.dispose();
      return out;
    }, start.weights.flat());
    analytic.forEach((v, i) => {
      expect(v).toBeCloseTo(numeric[i]!, 2);
    });
    tf.dispose([...probs, coefficients]);
    gates.dispose();
  });

  it('frees everything it made on dispose', () => {
    const before = tf.memory().numTensors;
    createJeiGates({ exits: 4, seed: 1, name: 'jei-test-free' }).dispose();
    createHiddenStateGates({ hiddenSizes: [3, 2], seed: 1, name: 'hidden-test-free' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad sizes and taken names', () => {
    expect(catchError(() => createJeiGates({ exits: 1, seed: 1, name: 'jei-test-c' }))).toBeInstanceOf(ArgumentError);
    const gates = createJeiGates({ exits: 3, seed: 1, name: 'jei-test-d' });
    expect(catchError(() => createJeiGates({ exits: 3, seed: 1, name: 'jei-test-d' }))).toBeInstanceOf(ArgumentError);
    const one = tf.tensor2d(probsRows);
    expect(catchError(() => gates.forward([one]))).toBeInstanceOf(CountMismatchError);
    one.dispose();
    gates.dispose();
  });
});

describe('createHiddenStateGates', () => {
  it('logits are w . h + b and the exported plugin scores sigmoid of them', () => {
    const gates = createHiddenStateGates({ hiddenSizes: [4, 2], seed: 3, name: 'hidden-test-a' });
    const hidden = tf.tensor2d([[1, 2, 3, 4], [0, -1, 0.5, 2]]);
    const logits = gates.logits(0, hidden);
    const weights = gates.exportWeights();
    const expected = [[1, 2, 3, 4], [0, -1, 0.5, 2]].map((h) => h.reduce((a, v, k) => a + v * weights.weights[0]![k]!, weights.biases[0]!));
    Array.from(logits.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    const plugin = hiddenStateGate.create(weights, { exits: 3, classes: 2, hiddenSizes: [4, 2, 2] });
    const probs = new Float32Array(4).fill(0.5);
    const scores = plugin.score({ exit: 0, exits: 3, batch: 2, classes: 2, probs, logits: probs, cost: 0.3, hidden: hidden.dataSync() as Float32Array, hiddenSize: 4 });
    scores.forEach((s, i) => {
      expect(s).toBeCloseTo(1 / (1 + Math.exp(-expected[i]!)), 5);
    });
    expect(catchError(() => gates.logits(1, hidden))).toBeInstanceOf(InputShapeError);
    expect(catchError(() => gates.logits(2, hidden))).toBeInstanceOf(ArgumentError);
    tf.dispose([hidden, logits]);
    gates.dispose();
  });
});
