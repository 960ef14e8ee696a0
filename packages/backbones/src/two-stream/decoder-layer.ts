import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '../transformer/layer-norm.js';
import type { LayerShape, LayerStep, TransformerLayerWeights } from '../transformer/layer.js';
import { attend, causalMask, dense3d, splitHeads } from './attention.js';
import { applyCrossAttention, type CrossAttentionWeights } from './cross-attention.js';
import { feedForward } from './encoder-layer.js';

/** A decoder layer: causal self-attention and feed-forward (language-model layer weights) plus cross-attention. */
export interface DecoderLayerWeights {
  readonly self: TransformerLayerWeights;
  readonly cross: CrossAttentionWeights;
}

/**
 * One pre-norm decoder layer on x [B, T, d]: causal self-attention (the T new positions see a cache of P earlier
 * keys and values [B, H, P, dh] and each other causally), then cross-attention to the memory, then the
 * feed-forward block. Returns the output and the self-attention keys and values with the new positions appended.
 * Call inside tf.tidy.
 */
export function applyDecoderLayer(
  w: DecoderLayerWeights,
  shape: LayerShape,
  x: tf.Tensor,
  memory: { keys: tf.Tensor; values: tf.Tensor },
  memoryMask: tf.Tensor | undefined,
  cache?: { keys: tf.Tensor; values: tf.Tensor },
): LayerStep {
  const t = x.shape[1]!;
  const s = w.self;
  const normed = layerNorm(x, s.norm1Gamma, s.norm1Beta);
  const [q, k, v] = tf.split(dense3d(normed, s.qkvKernel, s.qkvBias), 3, 2);
  let keys = splitHeads(k!, shape.heads);
  let values = splitHeads(v!, shape.heads);
  const past = cache ? cache.keys.shape[2]! : 0;
  if (cache) {
    keys = tf.concat([cache.keys, keys], 2);
    values = tf.concat([cache.values, values], 2);
  }
  const mask = t > 1 ? causalMask(t, past) : undefined;
  const attended = attend(splitHeads(q!, shape.heads), keys, values, mask);
  const afterSelf = tf.add(x, dense3d(attended, s.outKernel, s.outBias));
  const afterCross = applyCrossAttention(w.cross, shape, afterSelf, memory, memoryMask);
  return { output: feedForward(s, afterCross), keys, values };
}
