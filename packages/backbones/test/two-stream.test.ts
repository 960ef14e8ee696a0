import { ArgumentError, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoStreamModel, transformerLayerMacs, twoStreamMacs, type TwoStreamModel } from '../src/index.js';
import { SMALL_TWO_STREAM, twoStreamData } from './small-models.js';

const n = 12;
let model: TwoStreamModel;
const { pixels, tokens } = twoStreamData(n);

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createTwoStreamModel({ ...SMALL_TWO_STREAM, name: 'two-stream-test' });
});

afterAll(() => model.dispose());

describe('two-stream MACs', () => {
  it('counts layers from the language-model formulas (hand-computed)', () => {
    const macs = twoStreamMacs(4, 8, 10, 16, 49);
    expect(macs.imageEmbedding).toBe(16 * 49 * 4);
    // per token: 4 d^2 + 2 d f + 2 T d = 64 + 64 + 2 * 3 * 4 = 152; 3 tokens
    expect(macs.encoderLayer(3)).toBe(3 * 152);
    expect(transformerLayerMacs(4, 8, 3)).toBe(152);
    // self layer with 2 keys (64 + 64 + 16) + cross: 2 d^2 + 2 M d = 32 + 2 * 5 * 4 = 72
    expect(macs.decoderLayer(2, 5)).toBe(144 + 72);
    expect(macs.memoryKeysValues(5)).toBe(5 * 2 * 16);
    expect(macs.copiedKeysValues).toBe(32);
    expect(macs.head).toBe(40);
    expect(macs.similarity(6)).toBe(18);
  });
});

describe('two-stream model', () => {
  it('cuts images into patches and runs both streams through the same layers', () => {
    expect(model.patches).toBe(4);
    expect(model.memoryLength).toBe(8);
    const shapes = tf.tidy(() => {
      const hiddens = model.decoderHiddens(
        tf.tensor2d(pixels.subarray(0, 128), [2, 64]),
        tf.tensor2d(tokens.subarray(0, 8), [2, 4], 'int32'),
        tf.tensor2d([[1, 4, 5], [1, 6, 7]], [2, 3], 'int32'),
      );
      return hiddens.map((h) => h.shape);
    });
    expect(shapes).toEqual([[2, 3, 8], [2, 3, 8], [2, 3, 8]]);
  });

  it('runs each encoder stream to the depth asked for (the memory an encoder exit would give)', () => {
    const [shallow, manual, full] = tf.tidy(() => {
      const px = tf.tensor2d(pixels.subarray(0, 128), [2, 64]);
      const words = tf.tensor2d(tokens.subarray(0, 8), [2, 4], 'int32');
      const input = tf.tensor2d([[1, 4, 5], [1, 6, 7]], [2, 3], 'int32');
      const asked = model.decoderHiddens(px, words, input, { image: 1, text: 2 });
      // by hand: image after layer 0, text after layers 0 and 1, then the decoder
      const real = model.textReal(words);
      const image = model.encoderLayer(0, model.embedImage(px));
      const text = model.encoderLayer(1, model.encoderLayer(0, model.embedText(words), real), real);
      const memory = model.memory(image, text);
      const mask = model.memoryMask(real);
      let x = model.embedDecoder(input);
      for (let l = 0; l < 3; l++) x = model.decoderLayer(l, x, model.memoryKeysValues(l, memory), mask).output;
      const all = model.decoderHiddens(px, words, input, { image: 3, text: 3 });
      const plain = model.decoderHiddens(px, words, input);
      return [asked[2]!.arraySync(), x.arraySync(), tf.sub(all[2]!, plain[2]!).abs().max().arraySync()] as [number[][][], number[][][], number];
    });
    expect(shallow.flat(2).map((v, k) => Math.abs(v - manual.flat(2)[k]!)).every((gap) => gap < 1e-6)).toBe(true);
    expect(full).toBe(0);
    for (const depths of [{ image: 0, text: 1 }, { image: 1, text: 4 }, { image: 1.5, text: 1 }]) {
      expect(() =>
        tf.tidy(() => model.decoderHiddens(tf.zeros([1, 64]), tf.zeros([1, 4], 'int32'), tf.zeros([1, 3], 'int32'), depths)),
      ).toThrow(ArgumentError);
    }
  });

  it('decodes step by step with a cache exactly as the teacher-forced pass', () => {
    const [full, stepwise] = tf.tidy(() => {
      const image = model.embedImage(tf.tensor2d(pixels.subarray(0, 64), [1, 64]));
      const text = model.embedText(tf.tensor2d(tokens.subarray(0, 4), [1, 4], 'int32'));
      const real = model.textReal(tf.tensor2d(tokens.subarray(0, 4), [1, 4], 'int32'));
      const memory = model.memory(image, text);
      const mask = model.memoryMask(real);
      const kv = model.memoryKeysValues(0, memory);
      const input = tf.tensor2d([[1, 4, 5]], [1, 3], 'int32');
      const whole = model.decoderLayer(0, model.embedDecoder(input), kv, mask).output;
      let cache: { keys: tf.Tensor; values: tf.Tensor } | undefined;
      const steps: tf.Tensor[] = [];
      for (let t = 0; t < 3; t++) {
        const step = model.decoderLayer(0, model.embedDecoder(tf.slice(input, [0, t], [1, 1]), t), kv, mask, cache);
        cache = { keys: step.keys, values: step.values };
        steps.push(step.output);
      }
      return [whole.arraySync(), tf.concat(steps, 1).arraySync()] as number[][][][];
    });
    const gap = Math.max(...full[0]!.flatMap((row, t) => row.map((v, k) => Math.abs(stepwise[0]![t]![k]! - v))));
    expect(gap).toBeLessThan(1e-5);
  });

  it('rejects bad inputs', () => {
    expect(() => tf.tidy(() => model.embedImage(tf.zeros([1, 63])))).toThrow(InputShapeError);
    expect(() => tf.tidy(() => model.embedDecoder(tf.zeros([1, 6], 'int32')))).toThrow(InputShapeError);
    expect(() => tf.tidy(() => model.encoderLayer(3, tf.zeros([1, 4, 8])))).toThrow(ArgumentError);
    expect(() => createTwoStreamModel({ vocabSize: 5, textLength: 2, steps: 2, dModel: 6, heads: 4, encoderLayers: 1, decoderLayers: 1 })).toThrow(ArgumentError);
  });
});
