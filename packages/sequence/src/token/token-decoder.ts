import type { TransformerLm } from '@offramp/backbones';
import { ArgumentError, decideRows, type ExitPolicy, type ExitSignal, softmaxRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { checkPolicyLayers, checkProbabilityPolicy } from '../policy-checks.js';
import { KvCache } from '../kv-cache.js';

/** What one decoded position gave. */
export interface TokenStep {
  /** Next-token probabilities of the exit the token left at. */
  readonly probs: Float32Array;
  readonly exit: number;
  /** MACs spent on this position: layers run, heads run, key/value projections of skipped layers. */
  readonly macs: number;
}

/**
 * Decodes one sequence token by token with a key/value cache, optionally leaving each token at the first exit
 * where the policy's gate lets it out (core's `decideRows`). Without a policy only the last head runs (the plain
 * full model). When a token leaves at layer l, the layers above it still get keys and values for this position,
 * computed from the exited hidden state (the state is copied upwards), so later tokens can attend to it.
 * An exit whose threshold is +Infinity (closed) is skipped: its head is not run. Call `dispose` when done (it
 * frees the cache).
 */
export class TokenDecoder {
  readonly #lm: TransformerLm;
  readonly #policy: ExitPolicy | undefined;
  readonly #cache: KvCache;
  #position = 0;

  /** `policy`: made for this model's layers, e.g. with `tokenExitPolicy(lm, gate, thresholds)`. */
  constructor(lm: TransformerLm, policy?: ExitPolicy) {
    if (policy) {
      checkPolicyLayers(policy, lm.layers, 'layer of the language model');
      checkProbabilityPolicy(policy);
    }
    this.#lm = lm;
    this.#policy = policy;
    this.#cache = new KvCache(lm.layers);
  }

  /** Positions decoded so far. */
  get position(): number {
    return this.#position;
  }

  async #exitProbs(x: tf.Tensor): Promise<{ logits: Float32Array; probs: Float32Array }> {
    const logitsTensor = this.#lm.head(x);
    try {
      const logits = (await logitsTensor.data()) as Float32Array;
      return { logits, probs: softmaxRows(logits, this.#lm.vocabSize) };
    } finally {
      logitsTensor.dispose();
    }
  }

  /** Whether the token leaves at exit `l` (not the last) given that exit's outputs. */
  #leaves(policy: ExitPolicy, l: number, logits: Float32Array, probs: Float32Array): boolean {
    const signal: ExitSignal = {
      exit: l,
      exits: this.#lm.layers,
      batch: 1,
      classes: this.#lm.vocabSize,
      logits,
      probs,
      cost: policy.costs.normalized[l]!,
    };
    return decideRows(policy.gate, signal, policy.thresholds[l]!).leaving[0] === 1;
  }

  /** Feeds `token` at the next position and returns the next-token distribution of the exit it left at. */
  async step(token: number): Promise<TokenStep> {
    const lm = this.#lm;
    const policy = this.#policy;
    if (this.#position >= lm.context) {
      throw new ArgumentError({ field: 'position', expected: `fewer than ${lm.context} tokens (the context)`, received: String(this.#position + 1) });
    }
    if (!Number.isInteger(token) || token < 0 || token >= lm.vocabSize) {
      throw new ArgumentError({ field: 'token', expected: `a token id in [0, ${lm.vocabSize - 1}]`, received: String(token) });
    }
    const position = this.#position;
    const input = tf.tensor2d([[token]], [1, 1], 'int32');
    let x = lm.embed(input, position);
    input.dispose();
    let macs = 0;
    let exit = lm.layers - 1;
    let probs: Float32Array | undefined;
    try {
      for (let l = 0; l < lm.layers; l++) {
        const out = lm.layer(l, x, this.#cache.entry(l));
        this.#cache.set(l, out.keys, out.values);
        x.dispose();
        x = out.output;
        macs += lm.layerMacsAt(position + 1);
        const last = l === lm.layers - 1;
        // a closed exit (threshold +Infinity) is not computed at all
        if (!last && (!policy || policy.thresholds[l] === Number.POSITIVE_INFINITY)) continue;
        const exitOut = await this.#exitProbs(x);
        macs += lm.headMacs;
        probs = exitOut.probs;
        if (last) break;
        if (policy && this.#leaves(policy, l, exitOut.logits, exitOut.probs)) {
          exit = l;
          break;
        }
      }
      for (let j = exit + 1; j < lm.layers; j++) {
        const kv = lm.keysValues(j, x);
        const cached = this.#cache.entry(j);
        if (cached) {
          this.#cache.set(j, tf.concat([cached.keys, kv.keys], 2), tf.concat([cached.values, kv.values], 2));
          kv.keys.dispose();
          kv.values.dispose();
        } else {
          this.#cache.set(j, kv.keys, kv.values);
        }
        macs += lm.keyValueMacs;
      }
    } finally {
      x.dispose();
    }
    this.#position += 1;
    return { probs: probs!, exit, macs };
  }

  dispose(): void {
    this.#cache.dispose();
  }
}
