import { ArgumentError, checkWholeNumber, InputShapeError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { glorotVariable, zerosVariable } from '@offramp/heads';
import { backboneSeed } from '../staged-backbone.js';
import { layerNorm } from './layer-norm.js';
import { matMulPlain, matMulTransposed } from './mat-mul.js';
import {
  applyLayer,
  createLayerWeights,
  layerKeysValues,
  layerVariables,
  type LayerShape,
  type LayerStep,
  type TransformerLayerWeights,
} from './layer.js';
import { keyValueMacs, lmHeadMacs, transformerLayerMacs } from './macs.js';
import { modelName } from '../model-name.js';

export interface TransformerLmOptions {
  readonly vocabSize: number;
  /** Longest token window (learned positions 0 .. context - 1). */
  readonly context: number;
  readonly dModel: number;
  readonly layers: number;
  /** Attention heads; must divide dModel. */
  readonly heads: number;
  /** Width of the feed-forward layer; default 4 dModel. */
  readonly ffnHidden?: number;
  /** Seed of every initial weight; default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default a fresh `transformer-lm-N`. */
  readonly name?: string;
}

/**
 * A small decoder-only transformer language model cut into stages: stage l is layer l, and exit l is the shared
 * head (final layer norm, then the projection onto the vocabulary, tied to the token embedding) applied to the
 * output of layer l. Every method that returns tensors gives the caller new tensors to dispose.
 */
export interface TransformerLm {
  readonly name: string;
  readonly vocabSize: number;
  readonly context: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  readonly ffnHidden: number;
  /** [V, d]: token embedding, also the output projection of every exit. */
  readonly tokenEmbedding: tf.Variable;
  readonly variables: readonly tf.Variable[];
  /** MACs per token of each layer with keys averaged over a full window ((context + 1) / 2 keys). */
  readonly layerMacs: readonly number[];
  /** MACs per token of the shared head (d x V). */
  readonly headMacs: number;
  /** MACs per token of the key and value projections of a layer (for a copied state). */
  readonly keyValueMacs: number;
  /** MACs per token of a layer when the token attends to `keys` positions. */
  layerMacsAt(keys: number): number;
  /**
   * Token + position embedding of tokens [B, T] starting at position `offset`: [B, T, d]. A list of offsets gives
   * each row its own start (rows of a batch at different positions; inference only).
   */
  embed(tokens: tf.Tensor, offset?: number | readonly number[]): tf.Tensor;
  /**
   * Layer l on [B, T, d] with an optional cache of earlier positions; returns output and the extended cache. The
   * new positions attend causally, or where an additive `mask` [B, 1, T, cached + T] lets them.
   */
  layer(l: number, x: tf.Tensor, cache?: { keys: tf.Tensor; values: tf.Tensor }, mask?: tf.Tensor): LayerStep;
  /** Keys and values layer l would cache for inputs x [B, T, d] (used to fill skipped layers). */
  keysValues(l: number, x: tf.Tensor): { keys: tf.Tensor; values: tf.Tensor };
  /** The shared exit head: logits [..., V] of hidden states [..., d]. */
  head(x: tf.Tensor): tf.Tensor;
  /** Logits [B, T, V] of every exit (or only the last with `lastOnly`) for tokens [B, T], T <= context. */
  exitLogits(tokens: tf.Tensor, lastOnly?: boolean): tf.Tensor[];
  dispose(): void;
}

function checkOptions(options: TransformerLmOptions): Required<Omit<TransformerLmOptions, 'name' | 'seed'>> {
  checkWholeNumber(options.vocabSize, 2, 'vocabSize');
  checkWholeNumber(options.context, 1, 'context');
  checkWholeNumber(options.dModel, 1, 'dModel');
  checkWholeNumber(options.layers, 1, 'layers');
  checkWholeNumber(options.heads, 1, 'heads');
  if (options.dModel % options.heads !== 0) {
    throw new ArgumentError({
      field: 'heads',
      expected: `a divisor of dModel (${options.dModel})`,
      received: String(options.heads),
    });
  }
  const ffnHidden = options.ffnHidden ?? 4 * options.dModel;
  checkWholeNumber(ffnHidden, 1, 'ffnHidden');
  return { ...options, ffnHidden };
}

/** Creates a transformer language model with seeded glorot-uniform weights (see TransformerLm). */
export function createTransformerLm(options: TransformerLmOptions): TransformerLm {
  const o = checkOptions(options);
  const seed = backboneSeed(options.seed);
  const name = modelName(options.name, 'transformer-lm');
  const shape: LayerShape = { dModel: o.dModel, heads: o.heads, ffnHidden: o.ffnHidden };

  const made: tf.Variable[] = [];
  let layerWeights: TransformerLayerWeights[];
  let tokenEmbedding: tf.Variable;
  let positionEmbedding: tf.Variable;
  let finalGamma: tf.Variable;
  let finalBeta: tf.Variable;
  try {
    tokenEmbedding = glorotVariable(`${name}/embedding/tokens`, [o.vocabSize, o.dModel], seed);
    made.push(tokenEmbedding);
    positionEmbedding = glorotVariable(`${name}/embedding/positions`, [o.context, o.dModel], seed + 1);
    made.push(positionEmbedding);
    layerWeights = [];
    for (let l = 0; l < o.layers; l++) {
      const w = createLayerWeights(`${name}/layer${l}`, shape, seed + 10 * (l + 1));
      layerWeights.push(w);
      made.push(...layerVariables(w));
    }
    const ones = tf.ones([o.dModel]);
    finalGamma = tf.variable(ones, true, `${name}/head/norm/gamma`);
    ones.dispose();
    made.push(finalGamma);
    finalBeta = zerosVariable(`${name}/head/norm/beta`, [o.dModel]);
    made.push(finalBeta);
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  }
  const variables = Object.freeze([...made]);
  let disposed = false;

  const checkLive = (): void => {
    if (disposed) throw new ArgumentError({ field: name, expected: 'a live model', received: 'a disposed model' });
  };
  const checkLayer = (l: number): void => {
    if (!Number.isInteger(l) || l < 0 || l >= o.layers) {
      throw new ArgumentError({ field: 'layer', expected: `a whole number in [0, ${o.layers - 1}]`, received: String(l) });
    }
  };
  const checkTokens = (tokens: tf.Tensor, offset: number): void => {
    if (tokens.rank !== 2 || tokens.dtype !== 'int32') {
      throw new InputShapeError({
        field: 'tokens',
        expected: 'an int32 tensor [batch, time]',
        received: `${tokens.dtype} shape [${tokens.shape.join(', ')}]`,
      });
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + tokens.shape[1]! > o.context) {
      throw new InputShapeError({
        field: 'tokens.shape[1]',
        expected: `offset + time <= context (${o.context})`,
        received: `offset ${offset} + time ${tokens.shape[1]}`,
      });
    }
  };

  const embed = (tokens: tf.Tensor, offset: number | readonly number[] = 0): tf.Tensor => {
    checkLive();
    const offsets = typeof offset === 'number' ? [offset] : offset;
    if (typeof offset !== 'number' && offset.length !== tokens.shape[0]) {
      throw new InputShapeError({ field: 'offset.length', expected: `${tokens.shape[0]} offsets (one per row)`, received: String(offset.length) });
    }
    for (const start of offsets) checkTokens(tokens, start);
    return tf.tidy(() => {
      const [b, t] = tokens.shape as [number, number];
      // one-hot times the table: the gradient of a gather needs UnsortedSegmentSum, which tfjs-wasm lacks
      const oneHot = tf.oneHot(tf.reshape(tokens, [b * t]) as tf.Tensor1D, o.vocabSize);
      const rows = tf.reshape(matMulPlain(oneHot, tokenEmbedding), [b, t, o.dModel]);
      if (typeof offset === 'number') return tf.add(rows, tf.slice(positionEmbedding, [offset, 0], [t, o.dModel]));
      const index = tf.tensor1d(offset.flatMap((start) => Array.from({ length: t }, (_, i) => start + i)), 'int32');
      return tf.add(rows, tf.reshape(tf.gather(positionEmbedding, index), [b, t, o.dModel]));
    });
  };

  const head = (x: tf.Tensor): tf.Tensor => {
    checkLive();
    return tf.tidy(() => {
      const normed = layerNorm(x, finalGamma, finalBeta);
      const flat = tf.reshape(normed, [-1, o.dModel]) as tf.Tensor2D;
      const logits = matMulTransposed(flat, tokenEmbedding);
      return tf.reshape(logits, [...x.shape.slice(0, -1), o.vocabSize]);
    });
  };

  const layer = (l: number, x: tf.Tensor, cache?: { keys: tf.Tensor; values: tf.Tensor }, mask?: tf.Tensor): LayerStep => {
    checkLive();
    checkLayer(l);
    const result = tf.tidy(() => {
      const step = applyLayer(layerWeights[l]!, shape, x, cache, mask);
      return [step.output, step.keys, step.values];
    });
    return { output: result[0]!, keys: result[1]!, values: result[2]! };
  };

  const keysValues = (l: number, x: tf.Tensor): { keys: tf.Tensor; values: tf.Tensor } => {
    checkLive();
    checkLayer(l);
    const result = tf.tidy(() => {
      const kv = layerKeysValues(layerWeights[l]!, shape, x);
      return [kv.keys, kv.values];
    });
    return { keys: result[0]!, values: result[1]! };
  };

  const exitLogits = (tokens: tf.Tensor, lastOnly = false): tf.Tensor[] => {
    checkLive();
    checkTokens(tokens, 0);
    return tf.tidy(() => {
      let x = embed(tokens);
      const out: tf.Tensor[] = [];
      for (let l = 0; l < o.layers; l++) {
        x = applyLayer(layerWeights[l]!, shape, x).output;
        if (!lastOnly || l === o.layers - 1) out.push(head(x));
      }
      return out;
    });
  };

  const meanKeys = (o.context + 1) / 2;
  return {
    name,
    vocabSize: o.vocabSize,
    context: o.context,
    dModel: o.dModel,
    layers: o.layers,
    heads: o.heads,
    ffnHidden: o.ffnHidden,
    tokenEmbedding,
    variables,
    layerMacs: Object.freeze(Array.from({ length: o.layers }, () => transformerLayerMacs(o.dModel, o.ffnHidden, meanKeys))),
    headMacs: lmHeadMacs(o.dModel, o.vocabSize),
    keyValueMacs: keyValueMacs(o.dModel),
    layerMacsAt: (keys: number) => transformerLayerMacs(o.dModel, o.ffnHidden, keys),
    embed,
    layer,
    keysValues,
    head,
    exitLogits,
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.dispose();
    },
  };
}
