import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropyPerSample, demdLoss, emoLoss, stopGradient } from '../src/index.js';
import { expectClose, finiteDifferences } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Three tokens in two dimensions: e0 = (1, 0), e1 = (0, 1), e2 = (1, 1) (cosine 1/sqrt 2 with both others).
const embeddingValues = [
  [1, 0],
  [0, 1],
  [1, 1],
];
const logitValues = [
  [0.3, -1.2, 0.8],
  [2, 0.5, -0.4],
  [-0.7, 0.1, 1.5],
  [0, 0, 0],
];
const targetValues = [0, 2, 1, 0];

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function cosine(a: number[], b: number[]): number {
  const dot = a[0]! * b[0]! + a[1]! * b[1]!;
  return dot / (Math.hypot(a[0]!, a[1]!) * Math.hypot(b[0]!, b[1]!));
}

/** Host reference: per row, q, c_k = cos(e_k, e_y), cbar, CE and DEMD. */
function reference(row: number[], target: number) {
  const q = softmax(row);
  const c = embeddingValues.map((e) => cosine(e, embeddingValues[target]!));
  const cbar = q.reduce((s, qi, i) => s + qi * c[i]!, 0);
  return { q, c, cbar, ce: -Math.log(q[target]!), demd: 1 - cbar };
}

function withInputs<T extends tf.TensorContainer>(f: (logits: tf.Tensor2D, targets: tf.Tensor1D, embedding: tf.Tensor2D) => T): T {
  return tf.tidy(() =>
    f(tf.tensor2d(logitValues), tf.tensor1d(targetValues, 'int32'), tf.tensor2d(embeddingValues)),
  );
}

describe('stopGradient', () => {
  it('keeps the value and blocks the gradient', () => {
    const [value, grad] = tf.tidy(() => {
      const x = tf.tensor1d([1, -2, 3]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(v, v), tf.mul(stopGradient(v), v))))(x);
      return [stopGradient(x).arraySync() as number[], g.arraySync() as number[]];
    });
    expect(value).toEqual([1, -2, 3]);
    // d/dx (x^2 + sg(x) x) = 2x + x
    expect(grad).toEqual([3, -6, 9]);
  });
});

describe('demdLoss', () => {
  it('matches the hand-computed value for uniform logits', () => {
    const d = tf.tidy(() =>
      demdLoss(tf.tensor2d([[0, 0, 0]]), tf.tensor1d([0], 'int32'), tf.tensor2d(embeddingValues)).dataSync()[0]!,
    );
    // 1 - (1 + 0 + 1/sqrt 2) / 3 = 0.43096441
    expect(d).toBeCloseTo(1 - (1 + Math.SQRT1_2) / 3, 6);
    expect(d).toBeCloseTo(0.430964, 5);
  });

  it('is 0 when all the mass sits on the target and 1 on an orthogonal token', () => {
    const [onTarget, orthogonal] = tf.tidy(() => {
      const e = tf.tensor2d(embeddingValues);
      const z = tf.tensor2d([[50, -50, -50]]);
      return [
        demdLoss(z, tf.tensor1d([0], 'int32'), e).dataSync()[0]!,
        demdLoss(z, tf.tensor1d([1], 'int32'), e).dataSync()[0]!,
      ];
    });
    expect(onTarget).toBeCloseTo(0, 6);
    expect(orthogonal).toBeCloseTo(1, 6);
  });

  it('averages the host reference over rows', () => {
    const d = withInputs((z, y, e) => demdLoss(z, y, e).dataSync()[0]!);
    const expected = logitValues.reduce((s, row, i) => s + reference(row, targetValues[i]!).demd, 0) / 4;
    expect(d).toBeCloseTo(expected, 6);
  });

  it('has the closed-form gradient -q_k (c_k - cbar) / N', () => {
    const grad = withInputs((z, y, e) => tf.grad((x: tf.Tensor) => demdLoss(x, y, e))(z).arraySync() as number[][]);
    const expected = logitValues.map((row, i) => {
      const { q, c, cbar } = reference(row, targetValues[i]!);
      return q.map((qk, k) => (-qk * (c[k]! - cbar)) / logitValues.length);
    });
    expectClose(grad, expected, 1e-5);
  });

  it('matches finite differences', () => {
    const grad = withInputs((z, y, e) => tf.grad((x: tf.Tensor) => demdLoss(x, y, e))(z).arraySync() as number[][]);
    const numeric = tf.tidy(() => {
      const y = tf.tensor1d(targetValues, 'int32');
      const e = tf.tensor2d(embeddingValues);
      return finiteDifferences((x) => demdLoss(x, y, e), logitValues);
    });
    expectClose(grad, numeric, 2e-3);
  });

  it('takes [B, T, V] logits and leaves out ignored positions', () => {
    const [full, subset] = tf.tidy(() => {
      const e = tf.tensor2d(embeddingValues);
      const z = tf.tensor3d([logitValues.slice(0, 2), logitValues.slice(2, 4)]);
      const y = tf.tensor2d([[targetValues[0]!, -100], [targetValues[2]!, -100]], undefined, 'int32');
      const kept = tf.tensor2d([logitValues[0]!, logitValues[2]!]);
      const keptTargets = tf.tensor1d([targetValues[0]!, targetValues[2]!], 'int32');
      return [demdLoss(z, y, e).dataSync()[0]!, demdLoss(kept, keptTargets, e).dataSync()[0]!];
    });
    expect(full).toBeCloseTo(subset, 6);
  });

  it('gives 0 and zero gradient when every position is ignored, with a custom ignoreIndex', () => {
    const [value, grad] = tf.tidy(() => {
      const e = tf.tensor2d(embeddingValues);
      const y = tf.tensor1d([7, 7], 'int32');
      const z = tf.tensor2d(logitValues.slice(0, 2));
      const g = tf.grad((x: tf.Tensor) => demdLoss(x, y, e, { ignoreIndex: 7 }))(z);
      return [demdLoss(z, y, e, { ignoreIndex: 7 }).dataSync()[0]!, g.arraySync() as number[][]];
    });
    expect(value).toBe(0);
    expect(grad.flat().every((g) => g === 0)).toBe(true);
  });

  it('sends no gradient into the cost embedding', () => {
    const grad = withInputs((z, y, e) => tf.grad((emb: tf.Tensor) => demdLoss(z, y, emb))(e).arraySync() as number[][]);
    expect(grad.flat().every((g) => g === 0)).toBe(true);
  });
});

describe('emoLoss', () => {
  it('matches hand-computed values for uniform logits and target 0', () => {
    const values = tf.tidy(() => {
      const z = tf.tensor2d([[0, 0, 0]]);
      const y = tf.tensor1d([0], 'int32');
      const e = tf.tensor2d(embeddingValues);
      return [
        emoLoss(z, y, e, { mode: 'mle-emphasized' }).dataSync()[0]!,
        emoLoss(z, y, e, { mode: 'mle-emphasized', clip: 2 }).dataSync()[0]!,
        emoLoss(z, y, e, { mode: 'emo-emphasized' }).dataSync()[0]!,
      ];
    });
    const ce = Math.log(3); // 1.0986123
    const d = 1 - (1 + Math.SQRT1_2) / 3; // 0.4309644; CE / D = 2.549 > 2
    expect(values[0]).toBeCloseTo(ce, 5); // the value of the MLE-emphasised loss is CE
    expect(values[1]).toBeCloseTo(0.5 * (ce + 2 * d), 5); // 0.9802706
    expect(values[1]).toBeCloseTo(0.980271, 5);
    expect(values[2]).toBeCloseTo(2 * d, 5); // 0.8619288
  });

  it('MLE-emphasised: value of mean CE, gradient 1/2 (dCE + sg(CE/D) dD) per row', () => {
    const [value, grad, ceMean] = withInputs((z, y, e) => [
      emoLoss(z, y, e, { mode: 'mle-emphasized' }).dataSync()[0]!,
      tf.grad((x: tf.Tensor) => emoLoss(x, y, e, { mode: 'mle-emphasized' }))(z).arraySync() as number[][],
      tf.mean(crossEntropyPerSample(z, y)).dataSync()[0]!,
    ]);
    expect(value as number).toBeCloseTo(ceMean as number, 5);
    const n = logitValues.length;
    const expected = logitValues.map((row, i) => {
      const y = targetValues[i]!;
      const { q, c, cbar, ce, demd } = reference(row, y);
      const w = ce / demd;
      return q.map((qk, k) => (0.5 * (qk - (k === y ? 1 : 0)) + 0.5 * w * (-qk * (c[k]! - cbar))) / n);
    });
    expectClose(grad as number[][], expected, 1e-5);
  });

  it('MLE-emphasised with clip bounds the weight', () => {
    const grad = withInputs(
      (z, y, e) =>
        tf.grad((x: tf.Tensor) => emoLoss(x, y, e, { mode: 'mle-emphasized', clip: 1.5 }))(z).arraySync() as number[][],
    );
    const n = logitValues.length;
    const expected = logitValues.map((row, i) => {
      const y = targetValues[i]!;
      const { q, c, cbar, ce, demd } = reference(row, y);
      const w = Math.min(ce / demd, 1.5);
      return q.map((qk, k) => (0.5 * (qk - (k === y ? 1 : 0)) + 0.5 * w * (-qk * (c[k]! - cbar))) / n);
    });
    expectClose(grad, expected, 1e-5);
  });

  it('EMO-emphasised: value 2 D, gradient sg(D/CE) dCE + dD per row', () => {
    const [value, grad, d] = withInputs((z, y, e) => [
      emoLoss(z, y, e, { mode: 'emo-emphasized' }).dataSync()[0]!,
      tf.grad((x: tf.Tensor) => emoLoss(x, y, e, { mode: 'emo-emphasized' }))(z).arraySync() as number[][],
      demdLoss(z, y, e).dataSync()[0]!,
    ]);
    expect(value as number).toBeCloseTo(2 * (d as number), 5);
    const n = logitValues.length;
    const expected = logitValues.map((row, i) => {
      const y = targetValues[i]!;
      const { q, c, cbar, ce, demd } = reference(row, y);
      const w = demd / ce;
      return q.map((qk, k) => (w * (qk - (k === y ? 1 : 0)) - qk * (c[k]! - cbar)) / n);
    });
    expectClose(grad as number[][], expected, 1e-5);
  });

  it('its gradient differs from the finite differences of its value (the stop-gradient is real)', () => {
    const [grad, numeric] = withInputs((z, y, e) => [
      tf.grad((x: tf.Tensor) => emoLoss(x, y, e, { mode: 'mle-emphasized' }))(z).arraySync() as number[][],
      finiteDifferences((x) => emoLoss(x, y, e, { mode: 'mle-emphasized' }), logitValues),
    ]);
    // The value is mean CE, so finite differences give the CE gradient; the EMO gradient is another one.
    const ceGrad = withInputs(
      (z, y) => tf.grad((x: tf.Tensor) => tf.mean(crossEntropyPerSample(x as tf.Tensor2D, y)))(z).arraySync() as number[][],
    );
    expectClose(numeric, ceGrad, 2e-3);
    const largest = Math.max(...grad.flat().map((g, i) => Math.abs(g - ceGrad.flat()[i]!)));
    expect(largest).toBeGreaterThan(1e-3);
  });

  it('ignores padded positions in [B, T, V] logits', () => {
    const [padded, kept] = tf.tidy(() => {
      const e = tf.tensor2d(embeddingValues);
      const z = tf.tensor3d([logitValues.slice(0, 2), logitValues.slice(2, 4)]);
      const y = tf.tensor2d([[-100, targetValues[1]!], [targetValues[2]!, targetValues[3]!]], undefined, 'int32');
      const zk = tf.tensor2d(logitValues.slice(1));
      const yk = tf.tensor1d(targetValues.slice(1), 'int32');
      return [
        emoLoss(z, y, e, { mode: 'emo-emphasized' }).dataSync()[0]!,
        emoLoss(zk, yk, e, { mode: 'emo-emphasized' }).dataSync()[0]!,
      ];
    });
    expect(padded).toBeCloseTo(kept, 6);
  });

  it('frees every tensor it makes', () => {
    const z = tf.tensor2d(logitValues);
    const y = tf.tensor1d(targetValues, 'int32');
    const e = tf.tensor2d(embeddingValues);
    const run = () => {
      for (const mode of ['mle-emphasized', 'emo-emphasized'] as const) emoLoss(z, y, e, { mode }).dispose();
      demdLoss(z, y, e).dispose();
      tf.grad((x: tf.Tensor) => emoLoss(x, y, e, { mode: 'mle-emphasized', clip: 3 }))(z).dispose();
      stopGradient(z).dispose();
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, y, e]);
  });

  it('rejects bad inputs with typed errors naming the field', () => {
    const z = tf.tensor2d(logitValues);
    const y = tf.tensor1d(targetValues, 'int32');
    const e = tf.tensor2d(embeddingValues);
    const yFloat = tf.tensor1d(targetValues);
    const yShort = tf.tensor1d([0, 1], 'int32');
    const eWrong = tf.tensor2d([[1, 0]]);
    const z1 = tf.tensor1d([1, 2, 3]);
    const e1 = tf.tensor1d([1, 2, 3]);
    expect(() => emoLoss(z1, y, e, { mode: 'mle-emphasized' })).toThrow(InputShapeError);
    expect(() => emoLoss(z, yShort, e, { mode: 'mle-emphasized' })).toThrow(/targets/);
    expect(() => emoLoss(z, yFloat, e, { mode: 'mle-emphasized' })).toThrow(ArgumentError);
    expect(() => emoLoss(z, y, eWrong, { mode: 'mle-emphasized' })).toThrow(CountMismatchError);
    expect(() => demdLoss(z, y, e1)).toThrow(/costEmbedding/);
    expect(() => demdLoss(z, y, e, { ignoreIndex: 0.5 })).toThrow(/ignoreIndex/);
    expect(() => emoLoss(z, y, e, { mode: 'emd' as 'mle-emphasized' })).toThrow(/mode/);
    expect(() => emoLoss(z, y, e, { mode: 'mle-emphasized', clip: 0 })).toThrow(/clip/);
    expect(() => emoLoss(z, y, e, { mode: 'emo-emphasized', clip: 3 })).toThrow(/clip/);
    tf.dispose([z, y, e, yFloat, yShort, eWrong, z1, e1]);
  });
});
