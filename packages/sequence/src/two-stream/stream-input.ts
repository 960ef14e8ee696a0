import type { TwoStreamModel } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/** The input of one encoder stream on the host: n images (pixels) or n texts (token ids, 0 = padding). */
export type StreamInput =
  | { readonly stream: 'image'; readonly n: number; readonly pixels: Float32Array }
  | { readonly stream: 'text'; readonly n: number; readonly tokens: Int32Array };

export type StreamKind = StreamInput['stream'];

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

/** Positions of a stream: the image's patches or the text's tokens. */
export function streamLength(model: TwoStreamModel, stream: StreamKind): number {
  return stream === 'image' ? model.patches : model.options.textLength;
}

/** MACs per sample before the first encoder layer (the patch embedding of an image; a text's is a lookup). */
export function embeddingMacs(model: TwoStreamModel, stream: StreamKind): number {
  return stream === 'image' ? model.macs.imageEmbedding : 0;
}

export function checkStreamInput(model: TwoStreamModel, input: StreamInput): void {
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
export function embedRows(model: TwoStreamModel, input: StreamInput, from: number, to: number): { x: tf.Tensor; real?: tf.Tensor } {
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
export async function maskedHost(x: tf.Tensor, real: tf.Tensor | undefined): Promise<Float32Array> {
  const masked = real ? tf.tidy(() => tf.mul(x, tf.expandDims(real, 2))) : x;
  const values = (await masked.data()) as Float32Array;
  if (masked !== x) masked.dispose();
  return values;
}
