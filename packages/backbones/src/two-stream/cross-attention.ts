import * as tf from '@tensorflow/tfjs';
import { glorotVariable, zerosVariable } from '@offramp/heads';
import { layerNorm } from '../transformer/layer-norm.js';
import type { LayerShape } from '../transformer/layer.js';
import { attend, dense3d, splitHeads } from './attention.js';

/** Weights of a pre-norm cross-attention block (queries from the decoder, keys and values from the memory). */
export interface CrossAttentionWeights {
  readonly normGamma: tf.Variable;
  readonly normBeta: tf.Variable;
  readonly queryKernel: tf.Variable;
  readonly queryBias: tf.Variable;
  /** [d, 2d]: keys and values side by side. */
  readonly kvKernel: tf.Variable;
  readonly kvBias: tf.Variable;
  readonly outKernel: tf.Variable;
  readonly outBias: tf.Variable;
}

export function createCrossAttentionWeights(name: string, dModel: number, seed: number): CrossAttentionWeights {
  const d = dModel;
  const made: tf.Variable[] = [];
  const keep = (v: tf.Variable): tf.Variable => {
    made.push(v);
    return v;
  };
  try {
    const ones = tf.ones([d]);
    const gamma = keep(tf.variable(ones, true, `${name}/norm/gamma`));
    ones.dispose();
    return {
      normGamma: gamma,
      normBeta: keep(zerosVariable(`${name}/norm/beta`, [d])),
      queryKernel: keep(glorotVariable(`${name}/query/kernel`, [d, d], seed)),
      queryBias: keep(zerosVariable(`${name}/query/bias`, [d])),
      kvKernel: keep(glorotVariable(`${name}/kv/kernel`, [d, 2 * d], seed + 1)),
      kvBias: keep(zerosVariable(`${name}/kv/bias`, [2 * d])),
      outKernel: keep(glorotVariable(`${name}/out/kernel`, [d, d], seed + 2)),
      outBias: keep(zerosVariable(`${name}/out/bias`, [d])),
    };
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  }
}

export function crossAttentionVariables(w: CrossAttentionWeights): tf.Variable[] {
  return [w.normGamma, w.normBeta, w.queryKernel, w.queryBias, w.kvKernel, w.kvBias, w.outKernel, w.outBias];
}

/** Keys and values of the memory [B, M, d] for one layer, each [B, H, M, dh]. Call inside tf.tidy. */
export function memoryKeysValues(
  w: CrossAttentionWeights,
  shape: LayerShape,
  memory: tf.Tensor,
): { keys: tf.Tensor; values: tf.Tensor } {
  const [keys, values] = tf.split(dense3d(memory, w.kvKernel, w.kvBias), 2, 2);
  return { keys: splitHeads(keys!, shape.heads), values: splitHeads(values!, shape.heads) };
}

/** x + out(attention(query(norm(x)), memory keys, memory values)), with an additive memory mask. Call inside tf.tidy. */
export function applyCrossAttention(
  w: CrossAttentionWeights,
  shape: LayerShape,
  x: tf.Tensor,
  memory: { keys: tf.Tensor; values: tf.Tensor },
  memoryMask?: tf.Tensor,
): tf.Tensor {
  const normed = layerNorm(x, w.normGamma, w.normBeta);
  const queries = splitHeads(dense3d(normed, w.queryKernel, w.queryBias), shape.heads);
  const attended = attend(queries, memory.keys, memory.values, memoryMask);
  return tf.add(x, dense3d(attended, w.outKernel, w.outBias));
}
