import type { TransformerLm } from '@offramp/backbones';
import * as tf from '@tensorflow/tfjs';
import { KvCache } from '../kv-cache.js';
import { headRows } from '../speculative/layer-steps.js';
import type { BatchFeed, Fed, LmBatch, LmRuntime } from './lm-runtime.js';

class TfjsBatch implements LmBatch<tf.Tensor> {
  readonly #cache: KvCache;

  constructor(
    readonly lm: TransformerLm,
    readonly rows: number,
  ) {
    this.#cache = new KvCache(lm.layers);
  }

  slotsAt(layer: number): number {
    return this.#cache.lengthAt(layer);
  }

  /** Layers [from, to) on x [rows, t, d] under one mask, extending their caches; disposes x. */
  #layers(x: tf.Tensor, from: number, to: number, mask: Float32Array): tf.Tensor {
    const t = x.shape[1]!;
    const m = tf.tensor4d(mask, [this.rows, 1, t, this.#cache.lengthAt(from) + t]);
    let h = x;
    try {
      for (let l = from; l < to; l++) {
        const out = this.lm.layer(l, h, this.#cache.entry(l), m);
        this.#cache.set(l, out.keys, out.values);
        h.dispose();
        h = out.output;
      }
    } finally {
      m.dispose();
    }
    return h;
  }

  /** The head's probabilities at every position of hidden [rows, t, d], rows x t. */
  async #probs(hidden: tf.Tensor): Promise<Float32Array[]> {
    const flat = tf.reshape(hidden, [1, hidden.shape[0]! * hidden.shape[1]!, this.lm.dModel]);
    return headRows(this.lm, flat).finally(() => flat.dispose());
  }

  async feed(feed: BatchFeed, to: number, mask: Float32Array, probs: boolean): Promise<Fed<tf.Tensor>> {
    const ids = tf.tensor2d(Int32Array.from(feed.tokens), [this.rows, feed.t], 'int32');
    const x = tf.tidy(() => this.lm.embed(ids, feed.starts));
    ids.dispose();
    const hidden = this.#layers(x, 0, to, mask);
    return probs ? { hidden, probs: await this.#probs(hidden) } : { hidden };
  }

  async finish(hidden: readonly tf.Tensor[], from: number, mask: Float32Array): Promise<Float32Array[]> {
    const stacked = hidden.length === 1 ? hidden[0]!.clone() : tf.concat(hidden as tf.Tensor[], 1);
    const top = this.#layers(stacked, from, this.lm.layers, mask);
    return this.#probs(top).finally(() => top.dispose());
  }

  truncate(slots: number): void {
    this.#cache.truncate(slots);
  }

  release(hidden: tf.Tensor): void {
    hidden.dispose();
  }

  snapshot() {
    return this.#cache.snapshot();
  }

  dispose(): void {
    this.#cache.dispose();
  }
}

/** The tfjs runtime of a transformer LM (caches [rows, H, slots, dh] per layer, as `lm.layer` keeps them). */
export function tfjsLmRuntime(lm: TransformerLm): LmRuntime<tf.Tensor> {
  return { layers: lm.layers, vocabSize: lm.vocabSize, context: lm.context, openBatch: (rows) => new TfjsBatch(lm, rows) };
}

/** A runtime as given, or the tfjs runtime of a transformer LM. */
export function asLmRuntime(lm: TransformerLm | LmRuntime): LmRuntime {
  return 'openBatch' in lm ? lm : (tfjsLmRuntime(lm) as LmRuntime);
}
