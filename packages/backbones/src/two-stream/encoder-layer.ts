import * as tf from '@tensorflow/tfjs';
import { layerNorm } from '../transformer/layer-norm.js';
import type { LayerShape, TransformerLayerWeights } from '../transformer/layer.js';
import { attend, dense3d, splitHeads } from './attention.js';

/** The feed-forward block with its residual: x + W2 relu(W1 norm2(x) + b1) + b2. Call inside tf.tidy. */
export function feedForward(w: TransformerLayerWeights, x: tf.Tensor): tf.Tensor {
  const normed = layerNorm(x, w.norm2Gamma, w.norm2Beta);
  const hidden = tf.relu(dense3d(normed, w.ffnKernel1, w.ffnBias1));
  return tf.add(x, dense3d(hidden, w.ffnKernel2, w.ffnBias2));
}

/**
 * One bidirectional pre-norm encoder layer on x [B, T, d]: x + attention(norm1(x)) over every position of the
 * same sample (an additive key mask [B, 1, 1, T] hides padding), then the feed-forward block. The same
 * weights as a language-model layer (TransformerLayerWeights), without the causal mask. Call inside tf.tidy.
 */
export function applyEncoderLayer(
  w: TransformerLayerWeights,
  shape: LayerShape,
  x: tf.Tensor,
  keyMask?: tf.Tensor,
): tf.Tensor {
  const normed = layerNorm(x, w.norm1Gamma, w.norm1Beta);
  const [q, k, v] = tf.split(dense3d(normed, w.qkvKernel, w.qkvBias), 3, 2);
  const heads = shape.heads;
  const attended = attend(splitHeads(q!, heads), splitHeads(k!, heads), splitHeads(v!, heads), keyMask);
  return feedForward(w, tf.add(x, dense3d(attended, w.outKernel, w.outBias)));
}
