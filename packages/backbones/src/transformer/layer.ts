import * as tf from '@tensorflow/tfjs';
import { glorotVariable, zerosVariable } from '@offramp/heads';
import { layerNorm } from './layer-norm.js';
import { matMulPlain, matMulTransposed } from './mat-mul.js';

/** The weights of one pre-norm transformer layer. */
export interface TransformerLayerWeights {
  readonly norm1Gamma: tf.Variable;
  readonly norm1Beta: tf.Variable;
  /** [d, 3d]: queries, keys and values side by side. */
  readonly qkvKernel: tf.Variable;
  readonly qkvBias: tf.Variable;
  readonly outKernel: tf.Variable;
  readonly outBias: tf.Variable;
  readonly norm2Gamma: tf.Variable;
  readonly norm2Beta: tf.Variable;
  readonly ffnKernel1: tf.Variable;
  readonly ffnBias1: tf.Variable;
  readonly ffnKernel2: tf.Variable;
  readonly ffnBias2: tf.Variable;
}

export interface LayerShape {
  readonly dModel: number;
  readonly heads: number;
  readonly ffnHidden: number;
}

function onesVariable(name: string, shape: number[]): tf.Variable {
  const initial = tf.ones(shape);
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

export function createLayerWeights(name: string, shape: LayerShape, seed: number): TransformerLayerWeights {
  const { dModel: d, ffnHidden: f } = shape;
  const made: tf.Variable[] = [];
  const keep = (v: tf.Variable): tf.Variable => {
    made.push(v);
    return v;
  };
  try {
    return {
      norm1Gamma: keep(onesVariable(`${name}/norm1/gamma`, [d])),
      norm1Beta: keep(zerosVariable(`${name}/norm1/beta`, [d])),
      qkvKernel: keep(glorotVariable(`${name}/attention/qkv/kernel`, [d, 3 * d], seed)),
      qkvBias: keep(zerosVariable(`${name}/attention/qkv/bias`, [3 * d])),
      outKernel: keep(glorotVariable(`${name}/attention/out/kernel`, [d, d], seed + 1)),
      outBias: keep(zerosVariable(`${name}/attention/out/bias`, [d])),
      norm2Gamma: keep(onesVariable(`${name}/norm2/gamma`, [d])),
      norm2Beta: keep(zerosVariable(`${name}/norm2/beta`, [d])),
      ffnKernel1: keep(glorotVariable(`${name}/ffn/kernel1`, [d, f], seed + 2)),
      ffnBias1: keep(zerosVariable(`${name}/ffn/bias1`, [f])),
      ffnKernel2: keep(glorotVariable(`${name}/ffn/kernel2`, [f, d], seed + 3)),
      ffnBias2: keep(zerosVariable(`${name}/ffn/bias2`, [d])),
    };
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  }
}

export function layerVariables(w: TransformerLayerWeights): tf.Variable[] {
  return [
    w.norm1Gamma,
    w.norm1Beta,
    w.qkvKernel,
    w.qkvBias,
    w.outKernel,
    w.outBias,
    w.norm2Gamma,
    w.norm2Beta,
    w.ffnKernel1,
    w.ffnBias1,
    w.ffnKernel2,
    w.ffnBias2,
  ];
}

/** x [B, T, d] @ kernel [d, k] + bias, as [B, T, k]. */
function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  const flat = matMulPlain(tf.reshape(x, [b * t, d]), kernel);
  return tf.reshape(tf.add(flat, bias), [b, t, kernel.shape[1]!]);
}

/** [B, T, d] -> [B, H, T, d / H]. */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, dh] -> [B, T, H dh]. */
function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, dh] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * dh]);
}

/** Keys and values of the layer for inputs x [B, T, d], each [B, H, T, dh]. Call inside tf.tidy. */
export function layerKeysValues(
  w: TransformerLayerWeights,
  shape: LayerShape,
  x: tf.Tensor,
): { keys: tf.Tensor; values: tf.Tensor } {
  const d = shape.dModel;
  const normed = layerNorm(x, w.norm1Gamma, w.norm1Beta);
  const kernel = tf.slice(w.qkvKernel, [0, d], [d, 2 * d]);
  const bias = tf.slice(w.qkvBias, [d], [2 * d]);
  const kv = dense(normed, kernel, bias);
  const [keys, values] = tf.split(kv, 2, 2);
  return { keys: splitHeads(keys!, shape.heads), values: splitHeads(values!, shape.heads) };
}

export interface LayerStep {
  readonly output: tf.Tensor;
  /** Keys and values of the whole sequence so far (the cache with the new positions appended). */
  readonly keys: tf.Tensor;
  readonly values: tf.Tensor;
}

/**
 * One layer on x [B, T, d]: x + attention(norm1(x)), then + ffn(norm2(.)). With a cache of earlier keys and
 * values [B, H, P, dh], the T new positions attend to the P cached ones and to each other causally; with `mask`
 * (additive, [B, 1, T, P + T]) they attend where the mask lets them instead (rows of a batch with different
 * histories). Call inside tf.tidy.
 */
export function applyLayer(
  w: TransformerLayerWeights,
  shape: LayerShape,
  x: tf.Tensor,
  cache?: { keys: tf.Tensor; values: tf.Tensor },
  mask?: tf.Tensor,
): LayerStep {
  const [, t] = x.shape as [number, number, number];
  const dh = shape.dModel / shape.heads;
  const normed = layerNorm(x, w.norm1Gamma, w.norm1Beta);
  const [q, k, v] = tf.split(dense(normed, w.qkvKernel, w.qkvBias), 3, 2);
  const queries = splitHeads(q!, shape.heads);
  let keys = splitHeads(k!, shape.heads);
  let values = splitHeads(v!, shape.heads);
  const past = cache ? cache.keys.shape[2]! : 0;
  if (cache) {
    keys = tf.concat([cache.keys, keys], 2);
    values = tf.concat([cache.values, values], 2);
  }
  let scores = tf.mul(matMulTransposed(queries, keys), 1 / Math.sqrt(dh));
  if (mask) {
    // The caller's additive mask [B, 1, T, past + T] (0 where a query may look, a large negative number elsewhere).
    scores = tf.add(scores, mask);
  } else if (t > 1) {
    // new position i (absolute past + i) may see key j when j <= past + i
    const row = tf.reshape(tf.range(past, past + t, 1, 'int32'), [t, 1]);
    const col = tf.reshape(tf.range(0, past + t, 1, 'int32'), [1, past + t]);
    const blocked = tf.mul(tf.cast(tf.greater(col, row), 'float32'), -1e9);
    scores = tf.add(scores, blocked);
  }
  const attended = mergeHeads(matMulPlain(tf.softmax(scores), values));
  const afterAttention = tf.add(x, dense(attended, w.outKernel, w.outBias));
  const normed2 = layerNorm(afterAttention, w.norm2Gamma, w.norm2Beta);
  const hidden = tf.relu(dense(normed2, w.ffnKernel1, w.ffnBias1));
  const output = tf.add(afterAttention, dense(hidden, w.ffnKernel2, w.ffnBias2));
  return { output, keys, values };
}
