import * as tf from '@tensorflow/tfjs';
import { ArgumentError, InputShapeError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTransformerLm,
  keyValueMacs,
  layerNorm,
  lmHeadMacs,
  TokenDecoder,
  type TransformerLm,
  transformerLayerMacs,
} from '../src/index.js';
import { maxProbGate } from './helpers.js';

const options = { vocabSize: 11, context: 8, dModel: 8, layers: 3, heads: 2, ffnHidden: 12, seed: 3 };
const sequence = [1, 4, 2, 9, 7, 3, 3, 10];

let lm: TransformerLm;

beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = createTransformerLm({ ...options, name: 'test-lm' });
});

afterAll(() => {
  lm.dispose();
});

function exitRows(tokens: number[], lastOnly = false): number[][][] {
  return tf.tidy(() => {
    const outs = lm.exitLogits(tf.tensor2d([tokens], [1, tokens.length], 'int32'), lastOnly);
    return outs.map((o) => (o.arraySync() as number[][][])[0]!);
  });
}

function softmax(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((z) => Math.exp(z - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('transformer MACs', () => {
  it('counts projections, feed-forward and attention', () => {
    // 4 * 8^2 + 2 * 8 * 12 + 2 * 5 * 8 = 256 + 192 + 80
    expect(transformerLayerMacs(8, 12, 5)).toBe(528);
    expect(lmHeadMacs(8, 11)).toBe(88);
    expect(keyValueMacs(8)).toBe(128);
    expect(lm.layerMacs).toEqual([transformerLayerMacs(8, 12, 4.5), transformerLayerMacs(8, 12, 4.5), transformerLayerMacs(8, 12, 4.5)]);
    expect(lm.headMacs).toBe(88);
  });
});

describe('layerNorm', () => {
  it('matches the hand-computed value', () => {
    const out = tf.tidy(() =>
      layerNorm(tf.tensor2d([[1, 2, 3, 6]]), tf.tensor1d([1, 1, 2, 1]), tf.tensor1d([0, 0, 0, 1]), 0).arraySync(),
    ) as number[][];
    // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
    const s = Math.sqrt(3.5);
    expect(out[0]![0]).toBeCloseTo(-2 / s, 5);
    expect(out[0]![1]).toBeCloseTo(-1 / s, 5);
    expect(out[0]![2]).toBeCloseTo(0, 5);
    expect(out[0]![3]).toBeCloseTo(3 / s + 1, 5);
  });
});

describe('createTransformerLm', () => {
  it('gives logits [B, T, V] at every exit, or only the last', () => {
    const shapes = tf.tidy(() =>
      lm.exitLogits(tf.zeros([2, 5], 'int32')).map((o) => o.shape),
    );
    expect(shapes).toEqual([
      [2, 5, 11],
      [2, 5, 11],
      [2, 5, 11],
    ]);
    expect(exitRows(sequence.slice(0, 3), true)).toHaveLength(1);
    expect(lm.variables.length).toBe(2 + 3 * 12 + 2);
  });

  it('is causal: later tokens do not change earlier logits', () => {
    const a = exitRows(sequence);
    const changed = [...sequence];
    changed[5] = 0;
    const b = exitRows(changed);
    for (let l = 0; l < 3; l++) {
      for (let t = 0; t < 5; t++) {
        a[l]![t]!.forEach((v, k) => {
          expect(b[l]![t]![k]).toBeCloseTo(v, 5);
        });
      }
      expect(Math.max(...a[l]![6]!.map((v, k) => Math.abs(v - b[l]![6]![k]!)))).toBeGreaterThan(1e-4);
    }
  });

  it('is the same model for the same seed', () => {
    const other = createTransformerLm({ ...options });
    try {
      const x = tf.tensor2d([sequence], [1, 8], 'int32');
      const [p, q] = [lm.exitLogits(x, true)[0]!, other.exitLogits(x, true)[0]!];
      expect(Array.from(p.dataSync())).toEqual(Array.from(q.dataSync()));
      tf.dispose([x, p, q]);
    } finally {
      other.dispose();
    }
  });

  it('rejects bad options and inputs', () => {
    expect(() => createTransformerLm({ ...options, heads: 3 })).toThrow(/heads/);
    expect(() => createTransformerLm({ ...options, layers: 0 })).toThrow(/layers/);
    expect(() => createTransformerLm({ ...options, name: 'test-lm' })).toThrow(/name/);
    const long = tf.zeros([1, 9], 'int32');
    const float = tf.zeros([1, 2]);
    expect(() => lm.exitLogits(long)).toThrow(InputShapeError);
    expect(() => lm.exitLogits(float)).toThrow(/tokens/);
    expect(() => lm.layer(3, float)).toThrow(ArgumentError);
    tf.dispose([long, float]);
  });

  it('frees what it makes', () => {
    const x = tf.tensor2d([sequence], [1, 8], 'int32');
    const run = () => {
      tf.dispose(lm.exitLogits(x));
      const g = tf.variableGrads(() => tf.mean(lm.exitLogits(x, true)[0]!), lm.variables as tf.Variable[]);
      tf.dispose([g.value, ...Object.values(g.grads)]);
    };
    run();
    const before = tf.memory().numTensors;
    run();
    run();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('TokenDecoder', () => {
  it('without a policy reproduces the full model position by position (key/value cache)', async () => {
    const full = exitRows(sequence, true)[0]!;
    const decoder = new TokenDecoder(lm);
    for (let t = 0; t < sequence.length; t++) {
      const step = await decoder.step(sequence[t]!);
      expect(step.exit).toBe(2);
      const expected = softmax(full[t]!);
      step.probs.forEach((p, k) => {
        expect(p).toBeCloseTo(expected[k]!, 5);
      });
      expect(step.macs).toBe(3 * transformerLayerMacs(8, 12, t + 1) + 88);
    }
    await expect(decoder.step(1)).rejects.toThrow(/context/);
    decoder.dispose();
  });

  it('with a threshold no score reaches runs every exit and gives the full model', async () => {
    const full = exitRows(sequence, true)[0]!;
    const decoder = new TokenDecoder(lm, { gate: maxProbGate.create({}, { exits: 3, classes: 11 }), thresholds: 2 });
    for (let t = 0; t < 4; t++) {
      const step = await decoder.step(sequence[t]!);
      expect(step.exit).toBe(2);
      expect(step.probs[0]).toBeCloseTo(softmax(full[t]!)[0]!, 5);
      expect(step.macs).toBe(3 * transformerLayerMacs(8, 12, t + 1) + 3 * 88);
    }
    decoder.dispose();
  });

  it('leaves at the first exit with threshold 0 and copies the state to the layers above', async () => {
    const exit0 = exitRows(sequence)[0]!;
    const decoder = new TokenDecoder(lm, { gate: maxProbGate.create({}, { exits: 3, classes: 11 }), thresholds: [0, 0] });
    const first = await decoder.step(sequence[0]!);
    expect(first.exit).toBe(0);
    expect(first.probs[3]).toBeCloseTo(softmax(exit0[0]!)[3]!, 5);
    expect(first.macs).toBe(transformerLayerMacs(8, 12, 1) + 88 + 2 * 128);
    // layer 0 never sees copied states, so exit 0 stays exact at later positions too
    const second = await decoder.step(sequence[1]!);
    expect(second.probs[5]).toBeCloseTo(softmax(exit0[1]!)[5]!, 5);
    decoder.dispose();
  });

  it('skips the head of an exit whose threshold is +Infinity', async () => {
    const decoder = new TokenDecoder(lm, {
      gate: maxProbGate.create({}, { exits: 3, classes: 11 }),
      thresholds: [Number.POSITIVE_INFINITY, 0],
    });
    const step = await decoder.step(sequence[0]!);
    expect(step.exit).toBe(1);
    expect(step.macs).toBe(2 * transformerLayerMacs(8, 12, 1) + 88 + 128);
    decoder.dispose();
  });

  it('frees its cache and checks its input', async () => {
    const before = tf.memory().numTensors;
    const decoder = new TokenDecoder(lm, { gate: maxProbGate.create({}, { exits: 3, classes: 11 }), thresholds: 0.3 });
    for (const token of sequence.slice(0, 5)) await decoder.step(token);
    await expect(decoder.step(11)).rejects.toThrow(/token/);
    decoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new TokenDecoder(lm, { gate: maxProbGate.create({}, { exits: 3, classes: 11 }), thresholds: [1] })).toThrow(
      /thresholds/,
    );
  });
});
