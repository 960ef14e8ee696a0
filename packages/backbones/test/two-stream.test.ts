import { ArgumentError, cosineRows, defineGate, exitsFromScores, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMemory,
  createTwoStreamModel,
  copiedStateCount,
  decodeWithExits,
  runEncoderStream,
  type StreamInput,
  streamOutputFromTrace,
  traceEncoderStream,
  transformerLayerMacs,
  twoStreamMacs,
  type TwoStreamModel,
} from '../src/index.js';
import { randomArray } from './helpers.js';

/** The similarity rule as a user would write it inline: score = cos(h_l, h_{l-1}). */
const similarity = defineGate({
  name: 'inline-similarity',
  needs: ['similarity'],
  range: { min: -1, max: 1 },
  defaultThreshold: 0.9,
  score: () => (signal) => Float32Array.from(signal.similarity!),
}).create({}, { exits: 3, classes: 0 });

const n = 12;
let model: TwoStreamModel;
const pixels = Float32Array.from(randomArray(n * 64, 5), (v) => Math.abs(v));
// texts of 1 to 4 real tokens, padded with 0
const tokens = Int32Array.from({ length: n * 4 }, (_, k) => (k % 4 <= Math.floor(k / 4) % 4 ? 3 + ((k * 7) % 9) : 0));
const imageInput: StreamInput = { stream: 'image', n, pixels };
const textInput: StreamInput = { stream: 'text', n, tokens };

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createTwoStreamModel({
    vocabSize: 12,
    textLength: 4,
    steps: 5,
    dModel: 8,
    heads: 2,
    encoderLayers: 3,
    decoderLayers: 3,
    imageSize: 8,
    patchSize: 4,
    seed: 3,
    name: 'two-stream-test',
  });
});

afterAll(() => model.dispose());

/** A threshold that splits the samples at layer 0 (the median cosine there). */
function medianAt(cosines: Float32Array): number {
  return [...cosines].sort((a, b) => a - b)[Math.floor(cosines.length / 2)]!;
}

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

describe('encoder streams: real early exit agrees with trace evaluation', () => {
  for (const input of [imageInput, textInput]) {
    it(`the ${input.stream} stream`, async () => {
      const trace = await traceEncoderStream(model, input, 5);
      const threshold = medianAt(trace.cosines[0]!);
      const traceExit = exitsFromScores(trace.cosines.slice(0, 2), [threshold, threshold], n);
      const real = await runEncoderStream(model, input, similarity, threshold);
      expect(Array.from(real.exit)).toEqual(Array.from(traceExit));
      expect(new Set(real.exit).size).toBeGreaterThan(1);
      const fromTrace = streamOutputFromTrace(model, trace, traceExit, input.stream);
      expect(Array.from(real.macs)).toEqual(Array.from(fromTrace.macs));
      const gap = Math.max(...Array.from(real.states, (v, k) => Math.abs(v - fromTrace.states[k]!)));
      expect(gap).toBeLessThan(1e-4);
    });
  }

  it('without a gate runs every layer and counts no similarity checks', async () => {
    const plain = await runEncoderStream(model, imageInput, null, 0);
    expect(Array.from(plain.exit)).toEqual(new Array(n).fill(2));
    expect(plain.macs[0]).toBe(model.macs.imageEmbedding + 3 * model.macs.encoderLayer(4));
    const full = await runEncoderStream(model, imageInput, similarity, 1.5);
    expect(Array.from(plain.states)).toEqual(Array.from(full.states));
    expect(full.macs[0]! - plain.macs[0]!).toBe(2 * model.macs.similarity(32));
  });

  it('keeps no tensors and checks its input', async () => {
    await runEncoderStream(model, textInput, similarity, 0.5);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 2; k++) {
      await runEncoderStream(model, textInput, similarity, 0.5);
      await traceEncoderStream(model, imageInput);
    }
    expect(tf.memory().numTensors).toBe(before);
    await expect(runEncoderStream(model, { stream: 'text', n: 2, tokens: new Int32Array(7) }, similarity, 0.5)).rejects.toThrow(ArgumentError);
    await expect(runEncoderStream(model, textInput, similarity, [0.5])).rejects.toThrow(ArgumentError);
  });

  it('with threshold above 1 runs every layer, and the full trace cosines are real cosines', async () => {
    const real = await runEncoderStream(model, imageInput, similarity, 1.5);
    expect(Array.from(real.exit)).toEqual(new Array(n).fill(2));
    const trace = await traceEncoderStream(model, imageInput);
    const size = 4 * 8;
    expect(trace.cosines[1]![3]).toBeCloseTo(cosineRows(trace.states[1]!.subarray(3 * size, 4 * size), trace.states[0]!.subarray(3 * size, 4 * size), size)[0]!, 6);
  });
});

describe('decoding with exits', () => {
  async function memory() {
    const image = await runEncoderStream(model, imageInput, similarity, 1.5);
    const text = await runEncoderStream(model, textInput, similarity, 1.5);
    const real = Float32Array.from(tokens, (t) => (t === 0 ? 0 : 1));
    return buildMemory(model, image, text, real);
  }

  it('real early exit gives the tokens, exits and MACs of the masked batch', async () => {
    const mem = await memory();
    const thresholds = [0.2, 0.2, 0.2, 0.2, 0.2];
    const options = { steps: 5, bos: 1, eos: 2, gate: similarity, thresholds };
    const real = await decodeWithExits(model, mem, options);
    const masked = await decodeWithExits(model, mem, { ...options, mode: 'masked', batchSize: 5 });
    expect(Array.from(real.tokens)).toEqual(Array.from(masked.tokens));
    expect(Array.from(real.exits)).toEqual(Array.from(masked.exits));
    expect(Array.from(real.macs)).toEqual(Array.from(masked.macs));
    const gap = Math.max(...Array.from(real.firstLogits, (v, k) => Math.abs(v - masked.firstLogits[k]!)));
    expect(gap).toBeLessThan(1e-4);
    const used = Array.from(real.exits).filter((e) => e >= 0);
    expect(new Set(used).size).toBeGreaterThan(1);
  });

  it('makes a copied state\'s keys and values only when a later step runs the skipped layer', async () => {
    const mem = await memory();
    // steps 0, 2, 3 leave after layer 0 (any cosine >= -1); steps 1 and 4 run all 3 layers and attend there to
    // the copied states of the steps before them: 2 + 0 + 2 + 2 = 6 copies
    const options = { steps: 5, bos: 1, gate: similarity, thresholds: [-1, 2, -1, -1, 2] };
    const real = await decodeWithExits(model, mem, options);
    const masked = await decodeWithExits(model, mem, { ...options, mode: 'masked', batchSize: 7 });
    expect(Array.from(real.exits.subarray(0, 5))).toEqual([0, 2, 0, 0, 2]);
    expect(copiedStateCount(real.exits.subarray(0, 5))).toBe(6);
    expect(Array.from(real.tokens)).toEqual(Array.from(masked.tokens));
    expect(Array.from(real.macs)).toEqual(Array.from(masked.macs));
    const m = model.macs;
    const layer = (keys: number) => m.decoderLayer(keys, 8);
    const expected =
      3 * m.memoryKeysValues(8) + 5 * m.head + 6 * m.copiedKeysValues +
      // similarity checks: 1 for an exit at layer 0, 2 for a full-depth step (d = 8: 24 MACs each)
      (1 + 2 + 1 + 1 + 2) * 24 +
      layer(1) + 3 * layer(2) + layer(3) + layer(4) + 3 * layer(5);
    expect(real.macs[0]).toBe(expected);
  });

  it('counts copied states by hand', () => {
    expect(copiedStateCount([])).toBe(0);
    expect(copiedStateCount([3, 3, 3])).toBe(0);
    // the last step's skipped layers are never run again
    expect(copiedStateCount([3, 0])).toBe(0);
    expect(copiedStateCount([0, 3])).toBe(3);
    // step 0 needs layers 1, 2 (step 2 reaches 2); step 1 needs 1, 2; step 2 none; -1 = after the end
    expect(copiedStateCount([0, 0, 2, 1, -1, -1])).toBe(4);
  });

  it('counts MACs of a full-depth step by hand', async () => {
    const mem = await memory();
    const out = await decodeWithExits(model, mem, { steps: 1, bos: 1, gate: similarity, thresholds: [2] });
    const m = model.macs;
    // 3 layers with 1 self key and 8 memory positions, 2 similarity checks of d = 8, the head, memory keys/values
    const expected = 3 * m.decoderLayer(1, 8) + 2 * 24 + m.head + 3 * m.memoryKeysValues(8);
    expect(out.macs[0]).toBe(expected);
    expect(Array.from(out.exits)).toEqual(new Array(n).fill(2));
    const plain = await decodeWithExits(model, mem, { steps: 1, bos: 1 });
    expect(plain.macs[0]).toBe(expected - 2 * 24);
    expect(Array.from(plain.tokens)).toEqual(Array.from(out.tokens));
  });

  it('keeps no tensors and checks its options', async () => {
    const mem = await memory();
    const options = { steps: 3, bos: 1, gate: similarity, thresholds: [0.3, 0.3, 0.3] };
    await decodeWithExits(model, mem, options);
    const before = tf.memory().numTensors;
    await decodeWithExits(model, mem, options);
    await decodeWithExits(model, mem, { ...options, mode: 'masked' });
    expect(tf.memory().numTensors).toBe(before);
    await expect(decodeWithExits(model, mem, { ...options, steps: 6 })).rejects.toThrow(ArgumentError);
    await expect(decodeWithExits(model, mem, { ...options, thresholds: [0.3] })).rejects.toThrow(ArgumentError);
  });
});
