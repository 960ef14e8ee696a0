import * as tf from '@tensorflow/tfjs';
import { matMulPlain, matMulTransposed } from '../transformer/mat-mul.js';

/** x [B, T, d] @ kernel [d, k] + bias, as [B, T, k]. Call inside tf.tidy. */
export function dense3d(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  const flat = matMulPlain(tf.reshape(x, [b * t, d]), kernel);
  return tf.reshape(tf.add(flat, bias), [b, t, kernel.shape[1]!]);
}

/** [B, T, d] -> [B, H, T, d / H]. */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, dh] -> [B, T, H dh]. */
export function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, dh] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * dh]);
}

/**
 * Scaled dot-product attention of queries [B, H, Tq, dh] over keys and values [B, H, Tk, dh], with an optional
 * additive mask broadcastable to [B, H, Tq, Tk] (0 = may attend, a large negative number = may not).
 * Returns [B, Tq, H dh]. Call inside tf.tidy.
 */
export function attend(queries: tf.Tensor, keys: tf.Tensor, values: tf.Tensor, mask?: tf.Tensor): tf.Tensor {
  const dh = queries.shape[3]!;
  let scores = tf.mul(matMulTransposed(queries, keys), 1 / Math.sqrt(dh));
  if (mask) scores = tf.add(scores, mask);
  return mergeHeads(matMulPlain(tf.softmax(scores), values));
}

/** Additive key mask [B, 1, 1, T] from a 0/1 mask [B, T] of real positions. Call inside tf.tidy. */
export function keyPaddingMask(real: tf.Tensor): tf.Tensor {
  const [b, t] = real.shape as [number, number];
  return tf.reshape(tf.mul(tf.sub(1, real), -1e9), [b, 1, 1, t]);
}

/** Additive causal mask [Tq, past + Tq]: new position i (absolute past + i) sees keys j <= past + i. */
export function causalMask(queries: number, past: number): tf.Tensor {
  return tf.tidy(() => {
    const row = tf.reshape(tf.range(past, past + queries, 1, 'int32'), [queries, 1]);
    const col = tf.reshape(tf.range(0, past + queries, 1, 'int32'), [1, past + queries]);
    return tf.mul(tf.cast(tf.greater(col, row), 'float32'), -1e9);
  });
}
