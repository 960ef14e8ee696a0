import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  crossEntropyPerSample,
  exitCorrectnessLoss,
  jeiClassBalance,
  jeiGateLoss,
  jeiGateTargets,
  jeiHeadLoss,
  jeiTargetExits,
  jeiTargetExitsHost,
} from '../src/index.js';
import { expectClose, finiteDifferences } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('JEI-DNN gate targets', () => {
  // CE = [1.0, 0.5, 0.1], c = [0.2, 0.5, 1]: CE + lambda c is
  // lambda 0.7 -> [1.14, 0.85, 0.80] (l* = 2); lambda 1 -> [1.2, 1.0, 1.1] (l* = 1); lambda 2 -> [1.4, 1.5, 2.1] (l* = 0)
  const costs = [0.2, 0.5, 1];
  it('l* = argmin_l CE_il + lambda c_l, in tensors and on the host', () => {
    const ce = tf.tensor2d([[1, 0.5, 0.1]]);
    for (const [lambda, expected] of [[0.7, 2], [1, 1], [2, 0]] as const) {
      const t = jeiTargetExits(ce, costs, lambda);
      expect(Array.from(t.dataSync())).toEqual([expected]);
      t.dispose();
      expect(Array.from(jeiTargetExitsHost(Float32Array.from([1, 0.5, 0.1]), costs, lambda))).toEqual([expected]);
    }
    ce.dispose();
  });
  it('t_il = 1[l >= l*] for the gated exits', () => {
    const exits = tf.tensor1d([0, 1, 2], 'int32');
    const t = jeiGateTargets(exits, 3);
    expect(t.arraySync()).toEqual([[1, 1], [0, 1], [0, 0]]);
    tf.dispose([exits, t]);
  });
  it('rho_l = min((N - n_l) / n_l, 5), n_l at least 0.1', () => {
    // N = 10, n = [1, 3, 6]: rho_0 = min(9, 5) = 5, rho_1 = 7 / 3
    const targets = [0, 1, 1, 1, 2, 2, 2, 2, 2, 2];
    const rho = jeiClassBalance(targets, 3);
    expect(rho[0]).toBe(5);
    expect(rho[1]).toBeCloseTo(7 / 3, 12);
    // n = [5, 5, 0]: rho = [1, 1]; an empty gated exit gets the cap: (10 - 0.1) / 0.1 = 99 -> 5
    expect(jeiClassBalance([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 3)).toEqual([1, 1]);
    expect(jeiClassBalance([1, 1, 1, 1, 1, 1, 1, 1, 1, 2], 3, { cap: 200 })).toEqual([99, 1 / 9]);
    // 'positives': n_l = #(l* <= l) = [1, 4] for the first example: rho = [min(9, 5), 6 / 4]
    expect(jeiClassBalance(targets, 3, { counts: 'positives' })).toEqual([5, 1.5]);
    expect(() => jeiClassBalance(targets, 3, { counts: 'other' as 'positives' })).toThrow(ArgumentError);
  });
  it('rejects bad costs, lambda and target exits', () => {
    const ce = tf.tensor2d([[1, 0.5, 0.1]]);
    expect((thrown(() => jeiTargetExits(ce, [0.2, 0.5], 1)) as CountMismatchError).field).toBe('costs.length');
    expect((thrown(() => jeiTargetExits(ce, costs, -1)) as ArgumentError).field).toBe('lambda');
    expect((thrown(() => jeiClassBalance([0, 3], 3)) as ArgumentError).field).toBe('targetExits[1]');
    ce.dispose();
  });
});

describe('jeiGateLoss', () => {
  // a = [[0, 1], [2, -1]], t = [[0, 1], [1, 1]], rho = [5, 2]:
  // ln 2 + 2 ln(1 + e^-1) + 5 ln(1 + e^-2) + 2 ln(1 + e) = 4.580833, mean over 4 terms = 1.145208
  const a = [[0, 1], [2, -1]];
  const targets = [[0, 1], [1, 1]];
  const rho = [5, 2];
  it('is the rho-weighted mean BCE on hand-computed numbers', () => {
    const t = tf.tensor2d(targets);
    const value = tf.tidy(() => jeiGateLoss(tf.tensor2d(a), t, rho).dataSync()[0]!);
    const expected = (Math.log(2) + 2 * Math.log1p(Math.exp(-1)) + 5 * Math.log1p(Math.exp(-2)) + 2 * Math.log1p(Math.E)) / 4;
    expect(value).toBeCloseTo(expected, 5);
    expect(expected).toBeCloseTo(1.145208, 5);
    t.dispose();
  });
  it('has the gradient w (sigmoid(a) - t) / count, as finite differences say', () => {
    const t = tf.tensor2d(targets);
    const analytic = tf.tidy(() => tf.grad((x: tf.Tensor) => jeiGateLoss(x as tf.Tensor2D, t, rho))(tf.tensor2d(a)).arraySync() as number[][]);
    const numeric = finiteDifferences((x) => jeiGateLoss(x, t, rho), a);
    expectClose(analytic, numeric, 1e-3);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expect(analytic[1]![0]).toBeCloseTo((5 * (sig(2) - 1)) / 4, 5);
    t.dispose();
  });
  it('stays finite for large logits and frees its tensors', () => {
    const t = tf.tensor2d(targets);
    const x = tf.tensor2d([[200, -200], [-200, 200]]);
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) {
      const v = jeiGateLoss(x, t, rho);
      expect(Number.isFinite(v.dataSync()[0]!)).toBe(true);
      v.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(thrown(() => jeiGateLoss(x, t, [1]))).toBeInstanceOf(CountMismatchError);
    const wrong = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(thrown(() => jeiGateLoss(x, wrong, rho))).toBeInstanceOf(InputShapeError);
    tf.dispose([t, x, wrong]);
  });
});

describe('jeiHeadLoss', () => {
  // one sample, label 0; exit 0 logits [0, 0] (CE = ln 2), exit 1 logits [2, 0] (CE = ln(1 + e^-2)); pi = [0.25, 0.75]
  const z0 = [[0, 0]];
  const z1 = [[2, 0]];
  const ce0 = Math.log(2);
  const ce1 = Math.log1p(Math.exp(-2));
  const r = (ce0 + ce1) / (0.25 * ce0 + 0.75 * ce1);

  it('is mean_{i,l} pi CE r = mean_l CE on hand-computed numbers, in both weightings', () => {
    const labels = tf.tensor1d([0], 'int32');
    const pi = tf.tensor2d([[0.25, 0.75]]);
    for (const weighting of ['paper', 'released'] as const) {
      const v = tf.tidy(() => jeiHeadLoss([tf.tensor2d(z0), tf.tensor2d(z1)], labels, pi, { weighting }).dataSync()[0]!);
      expect(v).toBeCloseTo((ce0 + ce1) / 2, 6);
    }
    expect(r).toBeCloseTo(3.054479, 5);
    tf.dispose([labels, pi]);
  });

  it("'paper' stops the gradient through r and pi: head l gets pi_l r / (nL) (softmax - onehot)", () => {
    const labels = tf.tensor1d([0], 'int32');
    const pi = tf.tensor2d([[0.25, 0.75]]);
    const g0 = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => jeiHeadLoss([x as tf.Tensor2D, tf.tensor2d(z1)], labels, pi))(tf.tensor2d(z0)).arraySync() as number[][],
    );
    // 0.25 * 3.054479 / 2 * [-0.5, 0.5] = [-0.190905, 0.190905]
    expect(g0[0]![0]).toBeCloseTo((-0.25 * r) / 4, 5);
    expect(g0[0]![1]).toBeCloseTo((0.25 * r) / 4, 5);
    // finite differences of the same objective with r and pi held constant
    const numeric = finiteDifferences(
      (x) => tf.tidy(() => tf.mul(tf.mean(tf.mul(crossEntropyPerSample(x, labels), 0.25 * r)), 0.5) as tf.Scalar),
      z0,
    );
    expectClose(g0, numeric, 1e-3);
    // pi gets no gradient
    const gPi = tf.tidy(() =>
      tf.grad((p: tf.Tensor) => jeiHeadLoss([tf.tensor2d(z0), tf.tensor2d(z1)], labels, p as tf.Tensor2D))(pi).arraySync() as number[][],
    );
    expect(gPi).toEqual([[0, 0]]);
    tf.dispose([labels, pi]);
  });

  it("'released' keeps r's gradient: the loss and its gradient are those of uniform mean CE", () => {
    const labels = tf.tensor1d([0, 1], 'int32');
    const pi = tf.tensor2d([[0.25, 0.75], [0.9, 0.1]]);
    const x0 = [[0, 0], [1, -1]];
    const x1 = [[2, 0], [0.5, 0.3]];
    const loss = (x: tf.Tensor2D) => jeiHeadLoss([x, tf.tensor2d(x1)], labels, pi, { weighting: 'released' });
    const analytic = tf.tidy(() => tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D))(tf.tensor2d(x0)).arraySync() as number[][]);
    expectClose(analytic, finiteDifferences(loss, x0), 1e-3);
    const uniform = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => tf.div(tf.mean(crossEntropyPerSample(x as tf.Tensor2D, labels)), 2) as tf.Scalar)(tf.tensor2d(x0)).arraySync() as number[][],
    );
    expectClose(analytic, uniform, 1e-5);
    tf.dispose([labels, pi]);
  });

  it('frees its tensors and rejects bad inputs', () => {
    const labels = tf.tensor1d([0], 'int32');
    const pi = tf.tensor2d([[0.25, 0.75]]);
    const a = tf.tensor2d(z0);
    const b = tf.tensor2d(z1);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) jeiHeadLoss([a, b], labels, pi).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect((thrown(() => jeiHeadLoss([a], labels, pi)) as InputShapeError).field).toBe('pi');
    const bad = { weighting: 'other' } as unknown as { weighting: 'paper' };
    expect((thrown(() => jeiHeadLoss([a, b], labels, pi, bad)) as ArgumentError).field).toBe('options.weighting');
    tf.dispose([labels, pi, a, b]);
  });
});

describe('exitCorrectnessLoss (BERxiT)', () => {
  it('is mean (sigmoid(a) - y)^2 with the matching gradient', () => {
    const correct = tf.tensor1d([1, 0]);
    const value = tf.tidy(() => exitCorrectnessLoss(tf.tensor1d([0, Math.log(3)]), correct).dataSync()[0]!);
    // (0.5 - 1)^2 = 0.25 and (0.75 - 0)^2 = 0.5625: mean 0.40625
    expect(value).toBeCloseTo(0.40625, 6);
    const analytic = tf.tidy(() => [Array.from(tf.grad((a: tf.Tensor) => exitCorrectnessLoss(a as tf.Tensor1D, correct))(tf.tensor1d([0.3, -1])).dataSync())]);
    const numeric = finiteDifferences((x) => exitCorrectnessLoss(tf.reshape(x, [2]) as tf.Tensor1D, correct), [[0.3, -1]]);
    expectClose(analytic, numeric, 1e-3);
    const wrong = tf.tensor1d([1]);
    expect(thrown(() => exitCorrectnessLoss(tf.tensor1d([0, 1]), wrong))).toBeInstanceOf(InputShapeError);
    tf.dispose([correct, wrong]);
  });
});
