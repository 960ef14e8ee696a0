import type { TransformerLm } from '@offramp/backbones';
import * as tf from '@tensorflow/tfjs';
import { KvCache } from '../kv-cache.js';
import { embedTokens, headRows, runLayers } from '../speculative/layer-steps.js';
import type { Fed, LmRuntime, LmSequence } from './lm-runtime.js';

class TfjsSequence implements LmSequence<tf.Tensor> {
  readonly #cache: KvCache;

  constructor(readonly lm: TransformerLm) {
    this.#cache = new KvCache(lm.layers);
  }

  async feed(tokens: readonly number[], position: number, to: number, probs: boolean): Promise<Fed<tf.Tensor>> {
    const hidden = runLayers(this.lm, this.#cache, embedTokens(this.lm, tokens, position), 0, to);
    if (!probs) return { hidden };
    const last = tf.slice(hidden, [0, tokens.length - 1, 0], [1, 1, this.lm.dModel]);
    const [p] = await headRows(this.lm, last).finally(() => last.dispose());
    return { hidden, probs: p! };
  }

  async finish(hidden: readonly tf.Tensor[], from: number): Promise<Float32Array[]> {
    const stacked = hidden.length === 1 ? hidden[0]!.clone() : tf.concat(hidden as tf.Tensor[], 1);
    const top = runLayers(this.lm, this.#cache, stacked, from, this.lm.layers);
    return headRows(this.lm, top).finally(() => top.dispose());
  }

  truncate(length: number): void {
    this.#cache.truncate(length);
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

/** The tfjs runtime of a transformer LM (caches [1, H, P, dh] per layer, as `lm.layer` keeps them). */
export function tfjsLmRuntime(lm: TransformerLm): LmRuntime<tf.Tensor> {
  return { layers: lm.layers, vocabSize: lm.vocabSize, context: lm.context, open: () => new TfjsSequence(lm) };
}

/** A runtime as given, or the tfjs runtime of a transformer LM. */
export function asLmRuntime(lm: TransformerLm | LmRuntime): LmRuntime {
  return 'open' in lm ? lm : (tfjsLmRuntime(lm) as LmRuntime);
}
