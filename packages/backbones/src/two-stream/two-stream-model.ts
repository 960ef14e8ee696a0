import { ArgumentError, checkWholeNumber, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { glorotVariable, zerosVariable } from '@offramp/heads';
import { backboneSeed } from '../staged-backbone.js';
import { layerNorm } from '../transformer/layer-norm.js';
import {
  createLayerWeights,
  type LayerShape,
  type LayerStep,
  layerKeysValues,
  layerVariables,
  type TransformerLayerWeights,
} from '../transformer/layer.js';
import { matMulPlain, matMulTransposed } from '../transformer/mat-mul.js';
import { dense3d, keyPaddingMask } from './attention.js';
import { createCrossAttentionWeights, crossAttentionVariables, memoryKeysValues } from './cross-attention.js';
import { applyDecoderLayer, type DecoderLayerWeights } from './decoder-layer.js';
import { applyEncoderLayer } from './encoder-layer.js';
import { type TwoStreamMacs, twoStreamMacs } from './macs.js';

export interface TwoStreamOptions {
  readonly vocabSize: number;
  /** Tokens of the text stream (learned positions 0 .. textLength - 1). */
  readonly textLength: number;
  /** Longest decoded sequence (learned decoder positions). */
  readonly steps: number;
  readonly dModel: number;
  readonly heads: number;
  /** Feed-forward width; default 2 dModel. */
  readonly ffnHidden?: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  /** Square images of imageSize x imageSize x 1 pixels, cut into patches of patchSize x patchSize. Default 28 / 7. */
  readonly imageSize?: number;
  readonly patchSize?: number;
  /** Seed of every initial weight; default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default `two-stream`. */
  readonly name?: string;
}

/**
 * A small unified encoder-decoder (MuE, ALGORITHMS.md section 6). Image patches and text tokens run through the
 * SAME encoder layers as two separate streams (no cross-modal attention inside the encoder); the two outputs are
 * concatenated [image; text] and layer-normed into the memory; the decoder (causal self-attention, cross-attention
 * to the memory, feed-forward) has an exit after every layer through ONE shared layer norm and output projection
 * (tied to the token embedding). Methods that return tensors give the caller new tensors to dispose;
 * those marked "call inside tf.tidy" leave intermediates to the caller's tidy.
 */
export interface TwoStreamModel {
  readonly name: string;
  readonly options: Required<Omit<TwoStreamOptions, 'name' | 'seed'>>;
  readonly shape: LayerShape;
  /** Image patches per sample (the image stream's length). */
  readonly patches: number;
  /** Memory positions per sample: patches + textLength. */
  readonly memoryLength: number;
  readonly variables: readonly tf.Variable[];
  readonly macs: TwoStreamMacs;
  /** Patch embedding + image positions of pixels [B, imageSize^2]: [B, patches, d]. */
  embedImage(pixels: tf.Tensor): tf.Tensor;
  /** Token embedding + text positions of tokens [B, textLength] (int32): [B, textLength, d]. */
  embedText(tokens: tf.Tensor): tf.Tensor;
  /** 1 where a text token is real, 0 for padding (id 0): [B, textLength]. */
  textReal(tokens: tf.Tensor): tf.Tensor;
  /** Encoder layer l on one stream [B, T, d]; `real` [B, T] hides padded keys. Call inside tf.tidy. */
  encoderLayer(l: number, x: tf.Tensor, real?: tf.Tensor): tf.Tensor;
  /** LN([image; text]): [B, patches + textLength, d]. */
  memory(image: tf.Tensor, text: tf.Tensor): tf.Tensor;
  /** Additive mask [B, 1, 1, memoryLength] hiding padded text positions of the memory. */
  memoryMask(textReal: tf.Tensor): tf.Tensor;
  /** Cross-attention keys and values of decoder layer l for the memory. */
  memoryKeysValues(l: number, memory: tf.Tensor): { keys: tf.Tensor; values: tf.Tensor };
  /** Token embedding + decoder positions offset .. offset + T - 1 of tokens [B, T]: [B, T, d]. */
  embedDecoder(tokens: tf.Tensor, offset?: number): tf.Tensor;
  /** Decoder layer l (see applyDecoderLayer). Call inside tf.tidy. */
  decoderLayer(
    l: number,
    x: tf.Tensor,
    memory: { keys: tf.Tensor; values: tf.Tensor },
    memoryMask: tf.Tensor | undefined,
    cache?: { keys: tf.Tensor; values: tf.Tensor },
  ): LayerStep;
  /** Self-attention keys and values decoder layer l would cache for states x (a copied, exited state). */
  decoderKeysValues(l: number, x: tf.Tensor): { keys: tf.Tensor; values: tf.Tensor };
  /** The shared exit head: logits [..., V] of states [..., d] (shared layer norm, tied projection). */
  head(x: tf.Tensor): tf.Tensor;
  /** The head's parameters for a loss: layer norm and the projection as a [d, V] kernel. Call inside tf.tidy. */
  headParameters(): { gamma: tf.Tensor; beta: tf.Tensor; kernel: tf.Tensor };
  /**
   * Teacher-forced pass with no decoder exit: every decoder layer's output [B, steps, d]. By default both encoder
   * streams run all their layers; `depths` runs only the first `image` / `text` layers of each stream (the memory
   * the decoder would see after an encoder exit at that depth). Call inside tf.tidy.
   */
  decoderHiddens(pixels: tf.Tensor, text: tf.Tensor, decoderInput: tf.Tensor, depths?: EncoderDepths): tf.Tensor[];
  dispose(): void;
}

/** Encoder layers each stream runs (1 .. encoderLayers). */
export interface EncoderDepths {
  readonly image: number;
  readonly text: number;
}

function checkDepth(depth: number, layers: number, field: string): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > layers) {
    throw new ArgumentError({ field, expected: `a whole number of encoder layers in [1, ${layers}]`, received: String(depth) });
  }
}

function checkOptions(options: TwoStreamOptions): TwoStreamModel['options'] {
  checkWholeNumber(options.vocabSize, 2, 'vocabSize');
  checkWholeNumber(options.textLength, 1, 'textLength');
  checkWholeNumber(options.steps, 1, 'steps');
  checkWholeNumber(options.dModel, 1, 'dModel');
  checkWholeNumber(options.heads, 1, 'heads');
  checkWholeNumber(options.encoderLayers, 1, 'encoderLayers');
  checkWholeNumber(options.decoderLayers, 1, 'decoderLayers');
  if (options.dModel % options.heads !== 0) {
    throw new ArgumentError({
      field: 'heads',
      expected: `a divisor of dModel (${options.dModel})`,
      received: String(options.heads),
    });
  }
  const imageSize = options.imageSize ?? 28;
  const patchSize = options.patchSize ?? 7;
  checkWholeNumber(imageSize, 1, 'imageSize');
  checkWholeNumber(patchSize, 1, 'patchSize');
  if (imageSize % patchSize !== 0) {
    throw new ArgumentError({
      field: 'patchSize',
      expected: `a divisor of imageSize (${imageSize})`,
      received: String(patchSize),
    });
  }
  const ffnHidden = options.ffnHidden ?? 2 * options.dModel;
  checkWholeNumber(ffnHidden, 1, 'ffnHidden');
  return {
    vocabSize: options.vocabSize,
    textLength: options.textLength,
    steps: options.steps,
    dModel: options.dModel,
    heads: options.heads,
    ffnHidden,
    encoderLayers: options.encoderLayers,
    decoderLayers: options.decoderLayers,
    imageSize,
    patchSize,
  };
}

function checkLayer(l: number, layers: number, field: string): void {
  if (!Number.isInteger(l) || l < 0 || l >= layers) {
    throw new ArgumentError({ field, expected: `a layer index in [0, ${layers - 1}]`, received: String(l) });
  }
}

function onesVariable(name: string, size: number): tf.Variable {
  const ones = tf.ones([size]);
  const v = tf.variable(ones, true, name);
  ones.dispose();
  return v;
}

/** Creates the model with seeded glorot-uniform weights (embeddings scaled to 0.1). */
export function createTwoStreamModel(options: TwoStreamOptions): TwoStreamModel {
  const o = checkOptions(options);
  const seed = backboneSeed(options.seed);
  const name = options.name ?? 'two-stream';
  const shape: LayerShape = { dModel: o.dModel, heads: o.heads, ffnHidden: o.ffnHidden };
  const d = o.dModel;
  const side = o.imageSize / o.patchSize;
  const patches = side * side;
  const patchPixels = o.patchSize * o.patchSize;
  const memoryLength = patches + o.textLength;

  const made: tf.Variable[] = [];
  const keep = <V extends tf.Variable>(v: V): V => {
    made.push(v);
    return v;
  };
  const small = (varName: string, shapeOf: number[], s: number): tf.Variable =>
    keep(tf.tidy(() => tf.variable(tf.mul(tf.randomNormal(shapeOf, 0, 1, 'float32', s), 0.1), true, varName)));

  let encoder: TransformerLayerWeights[];
  let decoder: DecoderLayerWeights[];
  let patchKernel: tf.Variable;
  let patchBias: tf.Variable;
  let imagePositions: tf.Variable;
  let tokenEmbedding: tf.Variable;
  let textPositions: tf.Variable;
  let decoderPositions: tf.Variable;
  let memoryGamma: tf.Variable;
  let memoryBeta: tf.Variable;
  let headGamma: tf.Variable;
  let headBeta: tf.Variable;
  try {
    patchKernel = keep(glorotVariable(`${name}/patch/kernel`, [patchPixels, d], seed));
    patchBias = keep(zerosVariable(`${name}/patch/bias`, [d]));
    imagePositions = small(`${name}/image-positions`, [patches, d], seed + 1);
    tokenEmbedding = small(`${name}/token-embedding`, [o.vocabSize, d], seed + 2);
    textPositions = small(`${name}/text-positions`, [o.textLength, d], seed + 3);
    decoderPositions = small(`${name}/decoder-positions`, [o.steps, d], seed + 4);
    memoryGamma = keep(onesVariable(`${name}/memory-norm/gamma`, d));
    memoryBeta = keep(zerosVariable(`${name}/memory-norm/beta`, [d]));
    headGamma = keep(onesVariable(`${name}/head-norm/gamma`, d));
    headBeta = keep(zerosVariable(`${name}/head-norm/beta`, [d]));
    encoder = [];
    for (let l = 0; l < o.encoderLayers; l++) {
      const w = createLayerWeights(`${name}/encoder/${l}`, shape, seed + 100 + 10 * l);
      made.push(...layerVariables(w));
      encoder.push(w);
    }
    decoder = [];
    for (let l = 0; l < o.decoderLayers; l++) {
      const self = createLayerWeights(`${name}/decoder/${l}/self`, shape, seed + 500 + 10 * l);
      made.push(...layerVariables(self));
      const cross = createCrossAttentionWeights(`${name}/decoder/${l}/cross`, d, seed + 505 + 10 * l);
      made.push(...crossAttentionVariables(cross));
      decoder.push({ self, cross });
    }
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  }

  /** Embedding rows of tokens [B, T]: one-hot times the table (a gather's gradient needs UnsortedSegmentSum, which tfjs-wasm lacks). */
  const lookup = (tokens: tf.Tensor): tf.Tensor => {
    const [b, t] = tokens.shape as [number, number];
    const oneHot = tf.oneHot(tf.reshape(tf.cast(tokens, 'int32'), [b * t]) as tf.Tensor1D, o.vocabSize);
    return tf.reshape(matMulPlain(oneHot, tokenEmbedding), [b, t, d]);
  };

  const checkRows = (x: tf.Tensor, width: number, field: string): void => {
    if (x.rank !== 2 || x.shape[1] !== width) {
      throw new InputShapeError({
        field,
        expected: `a tensor [batch, ${width}]`,
        received: `shape [${x.shape.join(', ')}]`,
      });
    }
  };

  const model: TwoStreamModel = {
    name,
    options: o,
    shape,
    patches,
    memoryLength,
    variables: Object.freeze([...made]),
    macs: twoStreamMacs(d, o.ffnHidden, o.vocabSize, patches, patchPixels),
    embedImage(pixels) {
      checkRows(pixels, o.imageSize * o.imageSize, 'pixels');
      return tf.tidy(() => {
        const b = pixels.shape[0]!;
        const grid = tf.reshape(pixels, [b, side, o.patchSize, side, o.patchSize]);
        const cut = tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4]), [b, patches, patchPixels]);
        return tf.add(dense3d(cut, patchKernel, patchBias), imagePositions);
      });
    },
    embedText(tokens) {
      checkRows(tokens, o.textLength, 'tokens');
      return tf.tidy(() => tf.add(lookup(tokens), textPositions));
    },
    textReal(tokens) {
      checkRows(tokens, o.textLength, 'tokens');
      return tf.tidy(() => tf.cast(tf.notEqual(tokens, 0), 'float32'));
    },
    encoderLayer(l, x, real) {
      checkLayer(l, o.encoderLayers, 'encoder layer');
      return applyEncoderLayer(encoder[l]!, shape, x, real ? keyPaddingMask(real) : undefined);
    },
    memory(image, text) {
      return tf.tidy(() => layerNorm(tf.concat([image, text], 1), memoryGamma, memoryBeta));
    },
    memoryMask(textReal) {
      return tf.tidy(() => keyPaddingMask(tf.concat([tf.ones([textReal.shape[0]!, patches]), textReal], 1)));
    },
    memoryKeysValues(l, memory) {
      checkLayer(l, o.decoderLayers, 'decoder layer');
      return tf.tidy(() => memoryKeysValues(decoder[l]!.cross, shape, memory));
    },
    embedDecoder(tokens, offset = 0) {
      const t = tokens.shape[1]!;
      if (tokens.rank !== 2 || offset < 0 || offset + t > o.steps) {
        throw new InputShapeError({
          field: 'tokens',
          expected: `[batch, T] with offset + T <= ${o.steps} decoder positions`,
          received: `shape [${tokens.shape.join(', ')}] at offset ${offset}`,
        });
      }
      return tf.tidy(() => tf.add(lookup(tokens), tf.slice(decoderPositions, [offset, 0], [t, d])));
    },
    decoderLayer(l, x, memory, memoryMask, cache) {
      checkLayer(l, o.decoderLayers, 'decoder layer');
      return applyDecoderLayer(decoder[l]!, shape, x, memory, memoryMask, cache);
    },
    decoderKeysValues(l, x) {
      checkLayer(l, o.decoderLayers, 'decoder layer');
      return tf.tidy(() => layerKeysValues(decoder[l]!.self, shape, x));
    },
    head(x) {
      return tf.tidy(() => matMulTransposed(layerNorm(x, headGamma, headBeta), tokenEmbedding));
    },
    headParameters() {
      return { gamma: headGamma, beta: headBeta, kernel: tf.transpose(tokenEmbedding) };
    },
    decoderHiddens(pixels, text, decoderInput, depths) {
      const imageDepth = depths?.image ?? o.encoderLayers;
      const textDepth = depths?.text ?? o.encoderLayers;
      checkDepth(imageDepth, o.encoderLayers, 'depths.image');
      checkDepth(textDepth, o.encoderLayers, 'depths.text');
      let image = model.embedImage(pixels);
      let words = model.embedText(text);
      const real = model.textReal(text);
      for (let l = 0; l < imageDepth; l++) image = model.encoderLayer(l, image);
      for (let l = 0; l < textDepth; l++) words = model.encoderLayer(l, words, real);
      const memory = model.memory(image, words);
      const mask = model.memoryMask(real);
      let x = model.embedDecoder(decoderInput);
      const hiddens: tf.Tensor[] = [];
      for (let l = 0; l < o.decoderLayers; l++) {
        x = model.decoderLayer(l, x, model.memoryKeysValues(l, memory), mask).output;
        hiddens.push(x);
      }
      return hiddens;
    },
    dispose() {
      for (const v of made) v.dispose();
    },
  };
  return Object.freeze(model);
}
