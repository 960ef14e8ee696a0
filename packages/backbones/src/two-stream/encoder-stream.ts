import { ArgumentError, cosineRows, type Gate, takeRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { checkSimilarityGate, scoreSimilarity } from './similarity-scores.js';
import type { TwoStreamModel } from './two-stream-model.js';

/** The input of one encoder stream on the host: n images (pixels) or n texts (token ids, 0 = padding). */
export type StreamInput =
  | { readonly stream: 'image'; readonly n: number; readonly pixels: Float32Array }
  | { readonly stream: 'text'; readonly n: number; readonly tokens: Int32Array };

/** What a stream gave for n samples, in input order. */
export interface StreamOutput {
  readonly n: number;
  /** Positions of the stream (patches or text tokens). */
  readonly length: number;
  /** n x length x d states at each sample's exit. */
  readonly states: Float32Array;
  /** The encoder layer (0-based) each sample left at. */
  readonly exit: Int32Array;
  /** MACs per sample: embedding, the layers run and the similarity checks made. */
  readonly macs: Float64Array;
}

/** Every encoder layer's states and cosines for n samples (no exit). */
export interface StreamTrace {
  readonly n: number;
  readonly length: number;
  /** Per layer: n x length x d states (padding positions zeroed). */
  readonly states: readonly Float32Array[];
  /** Per layer: cos(h_l, h_{l-1}) per sample over its flattened real positions (h_{-1} = the embedding). */
  readonly cosines: readonly Float32Array[];
}

function streamLength(model: TwoStreamModel, input: StreamInput): number {
  return input.stream === 'image' ? model.patches : model.options.textLength;
}

function checkInput(model: TwoStreamModel, input: StreamInput): void {
  const width = input.stream === 'image' ? model.options.imageSize ** 2 : model.options.textLength;
  const size = input.stream === 'image' ? input.pixels.length : input.tokens.length;
  if (!Number.isInteger(input.n) || input.n < 1 || size !== input.n * width) {
    throw new ArgumentError({
      field: input.stream === 'image' ? 'input.pixels' : 'input.tokens',
      expected: `${input.n} x ${width} values`,
      received: `${size} values`,
    });
  }
}

/** Embedding of rows [from, to) of the input and, for text, its 0/1 mask of real tokens. */
function embed(model: TwoStreamModel, input: StreamInput, from: number, to: number): { x: tf.Tensor; real?: tf.Tensor } {
  if (input.stream === 'image') {
    const width = model.options.imageSize ** 2;
    return tf.tidy(() => ({ x: model.embedImage(tf.tensor2d(input.pixels.subarray(from * width, to * width), [to - from, width])) }));
  }
  const t = model.options.textLength;
  return tf.tidy(() => {
    const tokens = tf.tensor2d(input.tokens.subarray(from * t, to * t), [to - from, t], 'int32');
    return { x: model.embedText(tokens), real: model.textReal(tokens) };
  });
}

/** States on the host with padding positions zeroed (so they count in no cosine). */
async function maskedHost(x: tf.Tensor, real: tf.Tensor | undefined): Promise<Float32Array> {
  const masked = real ? tf.tidy(() => tf.mul(x, tf.expandDims(real, 2))) : x;
  const values = (await masked.data()) as Float32Array;
  if (masked !== x) masked.dispose();
  return values;
}

function embeddingMacs(model: TwoStreamModel, input: StreamInput): number {
  return input.stream === 'image' ? model.macs.imageEmbedding : 0;
}

/**
 * Real early exit of one encoder stream with batch compaction: layer by layer, the gate scores the cosine between
 * each sample's new and previous states (flattened over its real positions) and the samples with
 * score >= thresholds[l] leave with that layer's states; only the rest run the next layer.
 * `thresholds`: one per layer before the last, or one number for all. With `gate` null the stream runs every
 * layer and computes no similarity (the plain model: its MACs and time have no checks).
 */
export async function runEncoderStream(
  model: TwoStreamModel,
  input: StreamInput,
  gate: Gate | null,
  thresholds: number | readonly number[],
): Promise<StreamOutput> {
  checkInput(model, input);
  if (gate) checkSimilarityGate(gate);
  const layers = model.options.encoderLayers;
  const threshold = resolveStreamThresholds(thresholds, layers);
  const n = input.n;
  const length = streamLength(model, input);
  const size = length * model.options.dModel;
  const states = new Float32Array(n * size);
  const exit = new Int32Array(n);
  const macs = new Float64Array(n).fill(embeddingMacs(model, input));
  const layerMacs = model.macs.encoderLayer(length);
  const checkMacs = model.macs.similarity(size);

  let rows = Int32Array.from({ length: n }, (_, i) => i);
  let { x, real } = embed(model, input, 0, n);
  let previous = await maskedHost(x, real);
  try {
    for (let l = 0; l < layers; l++) {
      const h = tf.tidy(() => model.encoderLayer(l, x, real));
      x.dispose();
      x = h;
      const count = rows.length;
      if (!gate && l < layers - 1) continue;
      const hidden = await maskedHost(h, real);
      let leaving: Uint8Array;
      if (l === layers - 1 || !gate) {
        leaving = new Uint8Array(count).fill(1);
        if (!gate) for (const row of rows) macs[row]! += l * layerMacs;
      } else {
        const scores = scoreSimilarity(gate, l, layers, cosineRows(hidden, previous, size));
        leaving = Uint8Array.from(scores, (s) => (s >= threshold[l]! ? 1 : 0));
      }
      const stay: number[] = [];
      for (let i = 0; i < count; i++) {
        const row = rows[i]!;
        macs[row]! += layerMacs + (l < layers - 1 ? checkMacs : 0);
        if (!leaving[i]) {
          stay.push(i);
          continue;
        }
        exit[row] = l;
        states.set(hidden.subarray(i * size, (i + 1) * size), row * size);
      }
      if (stay.length === 0) break;
      if (stay.length < count) {
        const keep = Int32Array.from(stay);
        const kept = tf.tidy(() => {
          const index = tf.tensor1d(keep, 'int32');
          return { x: tf.gather(x, index), real: real ? tf.gather(real, index) : undefined };
        });
        x.dispose();
        real?.dispose();
        ({ x, real } = kept);
        rows = Int32Array.from(stay, (i) => rows[i]!);
        previous = takeRows(hidden, size, keep);
      } else {
        previous = hidden;
      }
    }
  } finally {
    x.dispose();
    real?.dispose();
  }
  return { n, length, states, exit, macs };
}

/** Runs every encoder layer of one stream over n samples in batches and keeps each layer's states and cosines. */
export async function traceEncoderStream(model: TwoStreamModel, input: StreamInput, batchSize = 256): Promise<StreamTrace> {
  checkInput(model, input);
  const layers = model.options.encoderLayers;
  const n = input.n;
  const length = streamLength(model, input);
  const size = length * model.options.dModel;
  const states = Array.from({ length: layers }, () => new Float32Array(n * size));
  const cosines = Array.from({ length: layers }, () => new Float32Array(n));
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    let { x, real } = embed(model, input, from, to);
    try {
      let previous = await maskedHost(x, real);
      for (let l = 0; l < layers; l++) {
        const h = tf.tidy(() => model.encoderLayer(l, x, real));
        x.dispose();
        x = h;
        const hidden = await maskedHost(h, real);
        states[l]!.set(hidden, from * size);
        cosines[l]!.set(cosineRows(hidden, previous, size), from);
        previous = hidden;
      }
    } finally {
      x.dispose();
      real?.dispose();
    }
  }
  return { n, length, states, cosines };
}

/**
 * The stream output a trace gives for chosen exits: each sample's states at its exit layer, and its MACs as the
 * real runner counts them.
 */
export function streamOutputFromTrace(model: TwoStreamModel, trace: StreamTrace, exit: Int32Array, stream: StreamInput['stream']): StreamOutput {
  const layers = model.options.encoderLayers;
  const size = trace.length * model.options.dModel;
  const states = new Float32Array(trace.n * size);
  const macs = new Float64Array(trace.n);
  const base = stream === 'image' ? model.macs.imageEmbedding : 0;
  const layerMacs = model.macs.encoderLayer(trace.length);
  const checkMacs = model.macs.similarity(size);
  for (let i = 0; i < trace.n; i++) {
    const l = exit[i]!;
    states.set(trace.states[l]!.subarray(i * size, (i + 1) * size), i * size);
    macs[i] = base + (l + 1) * layerMacs + Math.min(l + 1, layers - 1) * checkMacs;
  }
  return { n: trace.n, length: trace.length, states, exit: Int32Array.from(exit), macs };
}

function resolveStreamThresholds(thresholds: number | readonly number[], layers: number): Float64Array {
  const list = typeof thresholds === 'number' ? new Array<number>(layers - 1).fill(thresholds) : thresholds;
  if (list.length !== layers - 1 || list.some((t) => typeof t !== 'number' || Number.isNaN(t))) {
    throw new ArgumentError({
      field: 'thresholds',
      expected: `one number or ${layers - 1} numbers (one per encoder layer before the last)`,
      received: typeof thresholds === 'number' ? String(thresholds) : `[${thresholds.join(', ')}]`,
    });
  }
  return Float64Array.from(list);
}
