import type { TransformerLm } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { KvCache } from '../kv-cache.js';
import { acceptGreedy, acceptSampled, type Verdict } from './acceptance.js';
import { BatchSlots } from './batch-slots.js';
import { checkPrompt, checkSpeculativeOptions, type DecodeRun, type SelfSpeculativeOptions, type TokenChoice } from './decode-options.js';
import { choose, headRows } from './layer-steps.js';

/** Next-token probabilities of every position of every row of hidden states [B, T, d], row-major (B x T rows). */
async function headAll(lm: TransformerLm, hidden: tf.Tensor): Promise<Float32Array[]> {
  const flat = tf.reshape(hidden, [1, hidden.shape[0]! * hidden.shape[1]!, lm.dModel]);
  try {
    return await headRows(lm, flat);
  } finally {
    flat.dispose();
  }
}

/** Layers [from, to) on x [B, T, d], each under the mask of its own cache length; disposes x. */
function runMasked(lm: TransformerLm, cache: KvCache, slots: BatchSlots, x: tf.Tensor, from: number, to: number): tf.Tensor {
  const masks = new Map<number, tf.Tensor>();
  let h = x;
  try {
    for (let l = from; l < to; l++) {
      const cached = cache.lengthAt(l);
      if (!masks.has(cached)) masks.set(cached, slots.mask(cached, h.shape[1]!));
      const out = lm.layer(l, h, cache.entry(l), masks.get(cached));
      cache.set(l, out.keys, out.values);
      h.dispose();
      h = out.output;
    }
  } finally {
    for (const m of masks.values()) m.dispose();
  }
  return h;
}

/** One token per row, each at its own position: [B, 1, d]. */
function embedRows(lm: TransformerLm, tokens: readonly number[], positions: readonly number[]): tf.Tensor {
  const ids = tf.tensor2d(tokens.map((t) => [t]), [tokens.length, 1], 'int32');
  try {
    return lm.embed(ids, positions);
  } finally {
    ids.dispose();
  }
}

/** Per-row next-token probabilities at each row's last prompt position, after the prompts in one padded pass. */
async function prefillBatch(lm: TransformerLm, cache: KvCache, slots: BatchSlots, prompts: readonly ArrayLike<number>[]): Promise<Float32Array[]> {
  const width = Math.max(...prompts.map((p) => p.length));
  const padded = prompts.map((p) => Array.from({ length: width }, (_, i) => (i < p.length ? p[i]! : 0)));
  const ids = tf.tensor2d(padded, [prompts.length, width], 'int32');
  const x = lm.embed(ids, 0);
  ids.dispose();
  // Causal attention keeps each real position away from its row's padding (which comes after it).
  const top = runMasked(lm, cache, slots, x, 0, lm.layers);
  for (let j = 0; j < width; j++) slots.append((b) => j < prompts[b]!.length);
  const rows = await headAll(lm, top).finally(() => top.dispose());
  return prompts.map((p, b) => rows[b * width + p.length - 1]!);
}

function checkBatch(lm: TransformerLm, prompts: readonly ArrayLike<number>[], steps: number): void {
  if (prompts.length < 1) throw new ArgumentError({ field: 'prompts', expected: 'at least one prompt', received: 'none' });
  prompts.forEach((prompt, b) => {
    try {
      checkPrompt(lm, prompt, steps);
    } catch (error) {
      if (error instanceof ArgumentError) throw new ArgumentError({ field: `prompts[${b}]: ${error.field}`, expected: error.expected, received: error.received });
      throw error;
    }
  });
}

interface Row {
  readonly out: number[];
  position: number;
  pending: number;
  drafted: number;
  accepted: number;
  verifications: number;
}

/**
 * Self-speculative decoding of a batch of prompts (of any lengths): every pass runs all rows together, each row
 * keeps its own number of drafted tokens, and attention masks keep each row to its own history, so each row's
 * output is what `decodeSelfSpeculative` gives it alone (greedy: the full model's). `draftTokens` is drafted by
 * every row (no early stop per row; `draftConfidence` stops the draft when no row is confident). With
 * `draftLayers` = 0 it is plain batched decoding with the whole model (`decodeFullBatch`).
 */
export async function decodeSelfSpeculativeBatch(
  lm: TransformerLm,
  prompts: readonly ArrayLike<number>[],
  steps: number,
  options: SelfSpeculativeOptions,
): Promise<DecodeRun[]> {
  checkBatch(lm, prompts, steps);
  checkSpeculativeOptions(lm, options);
  return runBatch(lm, prompts, steps, options.draftLayers, options.draftTokens, options.draftConfidence ?? 0, options);
}

/** Plain decoding of a batch of prompts with the whole model, one token per row and pass (the batched reference). */
export async function decodeFullBatch(lm: TransformerLm, prompts: readonly ArrayLike<number>[], steps: number, choice: TokenChoice = {}): Promise<DecodeRun[]> {
  checkBatch(lm, prompts, steps);
  return runBatch(lm, prompts, steps, lm.layers, 0, 0, choice);
}

async function runBatch(
  lm: TransformerLm,
  prompts: readonly ArrayLike<number>[],
  steps: number,
  d: number,
  k: number,
  confidence: number,
  choice: TokenChoice,
): Promise<DecodeRun[]> {
  const cache = new KvCache(lm.layers);
  const slots = new BatchSlots(prompts.length);
  const first = await prefillBatch(lm, cache, slots, prompts);
  const started = performance.now();
  const rows: Row[] = prompts.map((p, b) => {
    const pending = choose(first[b]!, choice);
    return { out: [pending], position: p.length, pending, drafted: 0, accepted: 0, verifications: 0 };
  });
  const live = () => rows.filter((r) => r.out.length < steps);
  try {
    while (live().length > 0) {
      const running = live();
      const room = Math.min(k, ...running.map((r) => Math.min(steps - r.out.length, lm.context - 1 - r.position)));
      const done = rows.map((r) => r.out.length >= steps);
      // Finished rows ride along at position 0 with their slots invalid.
      const at = (b: number, j: number) => (done[b] ? 0 : rows[b]!.position + j);
      const cached = cache.lengthAt(0);
      const hidden: tf.Tensor[] = [];
      const drafts: number[][] = rows.map(() => []);
      const draftProbs: Float32Array[][] = rows.map(() => []);
      let feed = rows.map((r) => r.pending);
      try {
        for (;;) {
          const j = hidden.length;
          const h = runMasked(lm, cache, slots, embedRows(lm, feed, rows.map((_, b) => at(b, j))), 0, d);
          slots.append((b) => !done[b]);
          hidden.push(h);
          if (j >= room) break;
          const q = await headAll(lm, h);
          if (q.every((probs, b) => done[b] || Math.max(...probs) < confidence)) break;
          feed = q.map((probs, b) => {
            const token = choose(probs, choice);
            drafts[b]!.push(token);
            draftProbs[b]!.push(probs);
            return token;
          });
        }
        const t = hidden.length;
        const stacked = t === 1 ? hidden[0]!.clone() : tf.concat(hidden, 1);
        const upper = runMasked(lm, cache, slots, stacked, d, lm.layers);
        const full = await headAll(lm, upper).finally(() => upper.dispose());
        rows.forEach((r, b) => {
          if (done[b]) return;
          const mine = full.slice(b * t, (b + 1) * t);
          const verdict: Verdict = choice.rng ? acceptSampled(mine, draftProbs[b]!, drafts[b]!, choice.rng) : acceptGreedy(mine, drafts[b]!);
          r.out.push(...drafts[b]!.slice(0, verdict.accepted), verdict.next);
          r.drafted += drafts[b]!.length;
          r.accepted += verdict.accepted;
          r.verifications++;
          // The pending token and the accepted drafts stay; the rejected drafts' slots are shut.
          for (let i = verdict.accepted + 1; i < t; i++) slots.set(b, cached + i, false);
          r.position += verdict.accepted + 1;
          r.pending = verdict.next;
        });
      } finally {
        for (const h of hidden) h.dispose();
      }
    }
  } finally {
    cache.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return rows.map((r) => ({ tokens: Int32Array.from(r.out.slice(0, steps)), drafted: r.drafted, accepted: r.accepted, verifications: r.verifications, seconds }));
}
