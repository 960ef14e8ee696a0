import * as tf from '@tensorflow/tfjs';
import type { TransformerLm } from '../src/index.js';
import { randomArray } from './helpers.js';

/** A tiny causal LM (3 layers, an exit per layer) and a sequence for it; also used by @offramp/sequence's tests. */
export const TINY_LM = { vocabSize: 11, context: 8, dModel: 8, layers: 3, heads: 2, ffnHidden: 12, seed: 3 };
export const TINY_SEQUENCE = [1, 4, 2, 9, 7, 3, 3, 10];

/** Every exit's logits for one sequence, per position (only the last position with `lastOnly`). */
export function exitRows(lm: TransformerLm, tokens: number[], lastOnly = false): number[][][] {
  return tf.tidy(() => {
    const outs = lm.exitLogits(tf.tensor2d([tokens], [1, tokens.length], 'int32'), lastOnly);
    return outs.map((o) => (o.arraySync() as number[][][])[0]!);
  });
}

/** A small two-stream model's options (add a name): 8x8 images in 4 patches, 4 text tokens, 3 + 3 layers. */
export const SMALL_TWO_STREAM = {
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
};

/** n images (|u|, u uniform in [-1, 1)) and n texts of 1 to 4 real tokens padded with 0, for SMALL_TWO_STREAM. */
export function twoStreamData(n: number): { pixels: Float32Array; tokens: Int32Array } {
  return {
    pixels: Float32Array.from(randomArray(n * 64, 5), (v) => Math.abs(v)),
    tokens: Int32Array.from({ length: n * 4 }, (_, k) => (k % 4 <= Math.floor(k / 4) % 4 ? 3 + ((k * 7) % 9) : 0)),
  };
}
