import type { TransformerLm } from '@offramp/backbones';
import { softmaxRows } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { acceptGreedy, acceptSampled, argmax, sampleIndex, type Verdict } from './acceptance.js';
import { checkPrompt, checkSpeculativeOptions, type DecodeRun, type SelfSpeculativeOptions, type TokenChoice } from './decode-options.js';
import { KvCache } from './kv-cache.js';

/** Next-token probabilities of the shared exit head on hidden states [1, T, d], one row per position. */
async function headRows(lm: TransformerLm, hidden: tf.Tensor): Promise<Float32Array[]> {
  const logits = lm.head(hidden);
  try {
    const probs = softmaxRows((await logits.data()) as Float32Array, lm.vocabSize);
    return Array.from({ length: hidden.shape[1]! }, (_, t) => probs.subarray(t * lm.vocabSize, (t + 1) * lm.vocabSize));
  } finally {
    logits.dispose();
  }
}

/** Runs layers [from, to) on x [1, T, d] with the cache, extending it; disposes x, returns the output. */
function runLayers(lm: TransformerLm, cache: KvCache, x: tf.Tensor, from: number, to: number): tf.Tensor {
  let h = x;
  for (let l = from; l < to; l++) {
    const out = lm.layer(l, h, cache.entry(l));
    cache.set(l, out.keys, out.values);
    h.dispose();
    h = out.output;
  }
  return h;
}

/** Tokens [1, T] fed at `position` through the embedding. */
function embedTokens(lm: TransformerLm, tokens: ArrayLike<number>, position: number): tf.Tensor {
  const ids = tf.tensor2d([Array.from(tokens)], [1, tokens.length], 'int32');
  try {
    return lm.embed(ids, position);
  } finally {
    ids.dispose();
  }
}

const choose = (probs: Float32Array, choice: TokenChoice): number => (choice.rng ? sampleIndex(probs, choice.rng.next()) : argmax(probs));

/**
 * Self-speculative decoding (LayerSkip, Elhoushi et al. 2024; Kangaroo, Liu et al. 2024) of one sequence: the first
 * d layers and the shared exit head draft up to k tokens, the remaining layers verify them all in one pass that
 * reuses the draft's keys, values and hidden states of the first d layers, the longest agreeing prefix is kept with
 * the full model's next token, and the cache is rolled back past it. Greedy output is token for token the full
 * model's; with `rng`, speculative sampling makes every token distributed as the full model's. Temperature 1.
 */
export function decodeSelfSpeculative(
  lm: TransformerLm,
  prompt: ArrayLike<number>,
  steps: number,
  options: SelfSpeculativeOptions,
): Promise<DecodeRun> {
  return runSelfSpeculative(lm, prompt, steps, options);
}

/** The cache at the end of a run and the tokens it holds (prompt and every fed token), for checks. */
export type CacheInspector = (cache: KvCache, fed: readonly number[]) => Promise<void>;

/** decodeSelfSpeculative, with `inspect` shown the cache before it is freed. */
export async function runSelfSpeculative(
  lm: TransformerLm,
  prompt: ArrayLike<number>,
  steps: number,
  options: SelfSpeculativeOptions,
  inspect?: CacheInspector,
): Promise<DecodeRun> {
  checkPrompt(lm, prompt, steps);
  checkSpeculativeOptions(lm, options);
  const { draftLayers: d, draftTokens: k, draftConfidence = 0 } = options;
  const cache = new KvCache(lm.layers);
  const out: number[] = [];
  let drafted = 0;
  let acceptedTotal = 0;
  let verifications = 0;
  try {
    // The prompt through every layer at once; the full model gives the first token.
    const top = runLayers(lm, cache, embedTokens(lm, prompt, 0), 0, lm.layers);
    const last = tf.slice(top, [0, prompt.length - 1, 0], [1, 1, lm.dModel]);
    top.dispose();
    const first = await headRows(lm, last).finally(() => last.dispose());
    let pending = choose(first[0]!, options);
    out.push(pending);
    let position = prompt.length;
    while (out.length < steps) {
      // Draft: feed the pending token, then each drafted one, through the first d layers (extending their cache).
      const room = Math.min(k, steps - out.length, lm.context - 1 - position);
      const hidden: tf.Tensor[] = [];
      const drafts: number[] = [];
      const draftProbs: Float32Array[] = [];
      let feed = pending;
      try {
        for (;;) {
          const h = runLayers(lm, cache, embedTokens(lm, [feed], position + hidden.length), 0, d);
          hidden.push(h);
          if (drafts.length >= room) break;
          const [q] = await headRows(lm, h);
          if (Math.max(...q!) < draftConfidence) break;
          feed = choose(q!, options);
          drafts.push(feed);
          draftProbs.push(q!);
        }
        // Verify: the remaining layers on the hidden states of the pending token and every draft, in one pass.
        const stacked = hidden.length === 1 ? hidden[0]!.clone() : tf.concat(hidden, 1);
        const upper = runLayers(lm, cache, stacked, d, lm.layers);
        const full = await headRows(lm, upper).finally(() => upper.dispose());
        verifications++;
        const verdict: Verdict = options.rng ? acceptSampled(full, draftProbs, drafts, options.rng) : acceptGreedy(full, drafts);
        drafted += drafts.length;
        acceptedTotal += verdict.accepted;
        out.push(...drafts.slice(0, verdict.accepted), verdict.next);
        // Keep the pending token and the accepted drafts in every layer's cache; drop the rest.
        position += verdict.accepted + 1;
        cache.truncate(position);
        pending = verdict.next;
      } finally {
        for (const h of hidden) h.dispose();
      }
    }
    // The cache holds the prompt and every generated token but the pending one.
    await inspect?.(cache, [...Array.from(prompt), ...out.slice(0, position - prompt.length)]);
  } finally {
    cache.dispose();
  }
  return { tokens: Int32Array.from(out.slice(0, steps)), drafted, accepted: acceptedTotal, verifications };
}
