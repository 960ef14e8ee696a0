import type { TwoStreamModel } from '@offramp/backbones';
import * as tf from '@tensorflow/tfjs';

/** Self-attention keys and values of one decoder layer for the positions decoded so far. */
export interface DecoderCache {
  keys: tf.Tensor;
  values: tf.Tensor;
}

/** Keeps `next` as layer l's cache and frees the one it replaces. */
export function replaceCache(caches: (DecoderCache | undefined)[], l: number, next: DecoderCache): void {
  const old = caches[l];
  caches[l] = { keys: tf.keep(next.keys), values: tf.keep(next.values) };
  if (old) {
    old.keys.dispose();
    old.values.dispose();
  }
}

/** Appends the keys and values of layer l's pending copied states (one batched call) to its cache. */
export function flushCopied(model: TwoStreamModel, caches: (DecoderCache | undefined)[], pending: tf.Tensor[][], l: number): void {
  const states = pending[l]!;
  tf.tidy(() => {
    const kv = model.decoderKeysValues(l, states.length === 1 ? states[0]! : tf.concat(states, 1));
    const old = caches[l];
    replaceCache(caches, l, old ? { keys: tf.concat([old.keys, kv.keys], 2), values: tf.concat([old.values, kv.values], 2) } : kv);
  });
  tf.dispose(states);
  pending[l] = [];
}

/** Frees every cache in the lists. */
export function disposeCaches(...lists: (DecoderCache | undefined)[][]): void {
  for (const list of lists) {
    for (const c of list) {
      c?.keys.dispose();
      c?.values.dispose();
    }
  }
}
