import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';

/**
 * How a head turns a feature map into a vector. For samples of rank >= 2 (e.g. [H, W, C] or
 * tokens [T, D]) 'avg' and 'max' reduce every axis but the last (channels); 'flatten' keeps every
 * value; 'grid' averages an image feature map [H, W, C] over k x k windows down to a grid of about
 * 7 x 7 (k = floor(min(H, W) / 7), at least 1), then flattens (rank 2: as 'flatten'). Rank-1
 * samples are used as they are.
 */
export type PoolKind = 'avg' | 'max' | 'flatten' | 'grid';

/** Side of the grid 'grid' pooling aims at. */
export const GRID_SIDE = 7;

export interface Pooling {
  readonly kind: PoolKind | 'none';
  /** Length of the pooled vector per sample. */
  readonly size: number;
  /** The window of 'grid' pooling (1: no averaging, the map is only flattened). */
  readonly window?: number;
  /**
   * MACs per sample. Global average pooling counts one accumulate per input value (H*W*C);
   * global max pooling counts one compare per input value (H*W*C) as a MAC; flatten counts 0; grid
   * pooling counts one accumulate per value it averages.
   */
  readonly macs: number;
  apply(x: tf.Tensor): tf.Tensor2D;
}

const KINDS: readonly PoolKind[] = ['avg', 'max', 'flatten', 'grid'];

export function createPooling(inputShape: readonly number[], pool: PoolKind | undefined): Pooling {
  if (pool !== undefined && !KINDS.includes(pool)) {
    throw new ArgumentError({
      field: 'pool',
      expected: `one of ${KINDS.map((k) => `'${k}'`).join(', ')}`,
      received: JSON.stringify(pool),
    });
  }
  const total = inputShape.reduce((a, b) => a * b, 1);
  const channels = inputShape[inputShape.length - 1]!;
  if (inputShape.length === 1) {
    if (pool === 'avg' || pool === 'max') {
      throw new ArgumentError({
        field: 'pool',
        expected: "no pooling (or 'flatten') for rank-1 features",
        received: `'${pool}' for inputShape [${inputShape.join(', ')}]`,
      });
    }
    return { kind: 'none', size: channels, macs: 0, apply: (x) => x as tf.Tensor2D };
  }
  const axes = inputShape.map((_, i) => i + 1).slice(0, -1);
  const kind = pool === 'grid' && inputShape.length !== 3 ? 'flatten' : (pool ?? 'avg');
  switch (kind) {
    case 'avg':
      return { kind, size: channels, macs: total, apply: (x) => tf.mean(x, axes) as tf.Tensor2D };
    case 'max':
      return { kind, size: channels, macs: total, apply: (x) => tf.max(x, axes) as tf.Tensor2D };
    case 'grid': {
      const [h, w, c] = inputShape as [number, number, number];
      const k = Math.max(1, Math.floor(Math.min(h, w) / GRID_SIDE));
      const size = Math.floor(h / k) * Math.floor(w / k) * c;
      return {
        kind,
        size,
        window: k,
        macs: k > 1 ? size * k * k : 0,
        apply: (x) => {
          const pooled = k > 1 ? tf.avgPool(x as tf.Tensor4D, k, k, 'valid') : x;
          return tf.reshape(pooled, [x.shape[0]!, size]) as tf.Tensor2D;
        },
      };
    }
    case 'flatten':
      return {
        kind,
        size: total,
        macs: 0,
        apply: (x) => tf.reshape(x, [x.shape[0]!, total]) as tf.Tensor2D,
      };
  }
}
