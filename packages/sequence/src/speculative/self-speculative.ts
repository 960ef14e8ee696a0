import type { TransformerLm } from '@offramp/backbones';
import { acceptGreedy, acceptSampled, type Verdict } from './acceptance.js';
import { checkPrompt, checkSpeculativeOptions, type DecodeRun, type SelfSpeculativeOptions } from './decode-options.js';
import { choose } from './layer-steps.js';
import { asLmRuntime } from '../runtime/tfjs-runtime.js';
import type { LmBatch, LmRuntime } from '../runtime/lm-runtime.js';
import { SingleSequence } from '../runtime/single-sequence.js';

/**
 * Self-speculative decoding (LayerSkip, Elhoushi et al. 2024; Kangaroo, Liu et al. 2024) of one sequence: the first
 * d layers and the shared exit head draft up to k tokens, the remaining layers verify them all in one pass that
 * reuses the draft's keys, values and hidden states of the first d layers, the longest agreeing prefix is kept with
 * the full model's next token, and the cache is rolled back past it. Greedy output is token for token the full
 * model's; with `rng`, speculative sampling makes every token distributed as the full model's. Temperature 1.
 * Runs on tfjs (a TransformerLm) or on any LmRuntime (e.g. onnxruntime's, `createOnnxLmRuntime`).
 */
export function decodeSelfSpeculative(
  lm: TransformerLm | LmRuntime,
  prompt: ArrayLike<number>,
  steps: number,
  options: SelfSpeculativeOptions,
): Promise<DecodeRun> {
  return runSelfSpeculative(lm, prompt, steps, options);
}

/** The cache at the end of a run and the tokens it holds (prompt and every fed token), for checks. */
export type CacheInspector = (cache: LmBatch<unknown>, fed: readonly number[]) => Promise<void>;

/** decodeSelfSpeculative, with `inspect` shown the sequence's cache before it is freed. */
export async function runSelfSpeculative(
  model: TransformerLm | LmRuntime,
  prompt: ArrayLike<number>,
  steps: number,
  options: SelfSpeculativeOptions,
  inspect?: CacheInspector,
): Promise<DecodeRun> {
  const lm = asLmRuntime(model);
  checkPrompt(lm, prompt, steps);
  checkSpeculativeOptions(lm, options);
  const { draftLayers: d, draftTokens: k, draftConfidence = 0 } = options;
  const sequence = new SingleSequence(lm);
  const out: number[] = [];
  let drafted = 0;
  let acceptedTotal = 0;
  let verifications = 0;
  let seconds = 0;
  try {
    const first = await sequence.feed(Array.from(prompt), 0, lm.layers, true);
    sequence.release(first.hidden);
    let pending = choose(first.probs!, options);
    const started = performance.now();
    out.push(pending);
    let position = prompt.length;
    while (out.length < steps) {
      // Draft: feed the pending token, then each drafted one, through the first d layers (extending their cache).
      const room = Math.min(k, steps - out.length, lm.context - 1 - position);
      const hidden: unknown[] = [];
      const drafts: number[] = [];
      const draftProbs: Float32Array[] = [];
      let feed = pending;
      try {
        for (;;) {
          const last = drafts.length >= room;
          const step = await sequence.feed([feed], position + hidden.length, d, !last);
          hidden.push(step.hidden);
          if (last) break;
          const q = step.probs!;
          if (draftConfidence > 0 && Math.max(...q) < draftConfidence) break;
          feed = choose(q, options);
          drafts.push(feed);
          draftProbs.push(q);
        }
        // Verify: the remaining layers on the hidden states of the pending token and every draft, in one pass.
        const full = await sequence.finish(hidden, d, hidden.length);
        verifications++;
        const verdict: Verdict = options.rng ? acceptSampled(full, draftProbs, drafts, options.rng) : acceptGreedy(full, drafts);
        drafted += drafts.length;
        acceptedTotal += verdict.accepted;
        out.push(...drafts.slice(0, verdict.accepted), verdict.next);
        // Keep the pending token and the accepted drafts in every layer's cache; drop the rest.
        position += verdict.accepted + 1;
        sequence.truncate(position);
        pending = verdict.next;
      } finally {
        for (const h of hidden) sequence.release(h);
      }
    }
    seconds = (performance.now() - started) / 1000;
    // The cache holds the prompt and every generated token but the pending one.
    await inspect?.(sequence.batch, [...Array.from(prompt), ...out.slice(0, position - prompt.length)]);
  } finally {
    sequence.dispose();
  }
  return { tokens: Int32Array.from(out.slice(0, steps)), drafted, accepted: acceptedTotal, verifications, seconds };
}
