import * as tf from '@tensorflow/tfjs';
import { ArgumentError, InputShapeError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitRows as lmExitRows, TINY_LM, TINY_SEQUENCE } from './small-models.js';
import {
  createTransformerLm,
  keyValueMacs,
  layerNorm,
  lmHeadMacs,
  type TransformerLm,
  transformerLayerMacs,
} from '../src/index.js';

const options = TINY_LM;
const sequence = TINY_SEQUENCE;

let lm: TransformerLm;

beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = createTransformerLm({ ...options, name: 'test-lm' });
});

afterAll(() => {
  lm.dispose();
});

const exitRows = (tokens: number[], lastOnly = false) => lmExitRows(lm, tokens, lastOnly);

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

  it('embeds rows at their own offsets, and attends where a mask lets it', () => {
    const [a, b, both, mixed, masked, plain] = tf.tidy(() => {
      const ids = tf.tensor2d([[3, 4], [5, 6]], [2, 2], 'int32');
      const first = lm.embed(tf.tensor2d([[3, 4]], [1, 2], 'int32'), 1);
      const second = lm.embed(tf.tensor2d([[5, 6]], [1, 2], 'int32'), 4);
      const x = lm.embed(ids, 0);
      // A causal mask written out is the layer's own causal attention.
      const causal = tf.tensor4d([0, -1e9, 0, 0, 0, -1e9, 0, 0], [2, 1, 2, 2]);
      return [first, second, lm.embed(ids, [1, 4]), x, lm.layer(0, x, undefined, causal).output, lm.layer(0, x).output].map((t) => t.arraySync());
    }) as number[][][][];
    expect(both).toEqual([a![0], b![0]]);
    expect(mixed).toHaveLength(2);
    masked!.flat(2).forEach((v, i) => {
      expect(v).toBeCloseTo(plain!.flat(2)[i]!, 5);
    });
    expect(() => lm.embed(tf.tensor2d([[3]], [1, 1], 'int32'), [1, 2])).toThrow(/^offset\.length: expected 1 offsets \(one per row\), received 2/);
    expect(() => lm.embed(tf.tensor2d([[3], [4]], [2, 1], 'int32'), [0, 99])).toThrow(/tokens\.shape\[1\]/);
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
