import type { TransformerLm } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import type { LmBatch, LmRuntime } from '../runtime/lm-runtime.js';
import { asLmRuntime } from '../runtime/tfjs-runtime.js';
import { acceptGreedy, acceptSampled, type Verdict } from './acceptance.js';
import { BatchSlots } from './batch-slots.js';
import {
  checkPrompt,
  checkSpeculativeOptions,
  type DecodeRun,
  type LmShape,
  type SelfSpeculativeOptions,
  type TokenChoice,
} from './decode-options.js';
import { choose } from './layer-steps.js';

/** Per-row next-token probabilities at each row's last prompt position, after the prompts in one padded pass. */
async function prefillBatch<H>(batch: LmBatch<H>, slots: BatchSlots, prompts: readonly ArrayLike<number>[], layers: number): Promise<Float32Array[]> {
  const width = Math.max(...prompts.map((p) => p.length));
  const tokens = prompts.flatMap((p) => Array.from({ length: width }, (_, i) => (i < p.length ? p[i]! : 0)));
  // Causal attention keeps each real position away from its row's padding (which comes after it).
  const fed = await batch.feed({ tokens, starts: prompts.map(() => 0), t: width }, layers, slots.mask(0, width), true);
  batch.release(fed.hidden);
  for (let j = 0; j < width; j++) slots.append((b) => j < prompts[b]!.length);
  return prompts.map((p, b) => fed.probs![b * width + p.length - 1]!);
}

function checkBatch(lm: LmShape, prompts: readonly ArrayLike<number>[], steps: number): void {
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
  model: TransformerLm | LmRuntime,
  prompts: readonly ArrayLike<number>[],
  steps: number,
  options: SelfSpeculativeOptions,
): Promise<DecodeRun[]> {
  const lm = asLmRuntime(model);
  checkBatch(lm, prompts, steps);
  checkSpeculativeOptions(lm, options);
  return runBatch(lm, prompts, steps, options.draftLayers, options.draftTokens, options.draftConfidence ?? 0, options);
}

/** Plain decoding of a batch of prompts with the whole model, one token per row and pass (the batched reference). */
export async function decodeFullBatch(
  model: TransformerLm | LmRuntime,
  prompts: readonly ArrayLike<number>[],
  steps: number,
  choice: TokenChoice = {},
): Promise<DecodeRun[]> {
  const lm = asLmRuntime(model);
  checkBatch(lm, prompts, steps);
  return runBatch(lm, prompts, steps, lm.layers, 0, 0, choice);
}

async function runBatch(
  lm: LmRuntime,
  prompts: readonly ArrayLike<number>[],
  steps: number,
  d: number,
  k: number,
  confidence: number,
  choice: TokenChoice,
): Promise<DecodeRun[]> {
  const plain = d === lm.layers;
  const batch = lm.openBatch(prompts.length);
  const slots = new BatchSlots(prompts.length);
  const first = await prefillBatch(batch, slots, prompts, lm.layers);
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
      const cached = batch.slotsAt(0);
      const hidden: unknown[] = [];
      const drafts: number[][] = rows.map(() => []);
      const draftProbs: Float32Array[][] = rows.map(() => []);
      let feed = rows.map((r) => r.pending);
      let fullProbs: Float32Array[] | undefined;
      try {
        for (;;) {
          const j = hidden.length;
          const last = j >= room;
          const step = await batch.feed({ tokens: feed, starts: rows.map((_, b) => at(b, j)), t: 1 }, d, slots.mask(batch.slotsAt(0), 1), !last || plain);
          slots.append((b) => !done[b]);
          hidden.push(step.hidden);
          if (last) {
            fullProbs = plain ? step.probs : undefined;
            break;
          }
          const q = step.probs!;
          if (confidence > 0 && q.every((probs, b) => done[b] || Math.max(...probs) < confidence)) break;
          feed = q.map((probs, b) => {
            const token = choose(probs, choice);
            drafts[b]!.push(token);
            draftProbs[b]!.push(probs);
            return token;
          });
        }
        const t = hidden.length;
        // Plain decoding (d = every layer) has the full model's probabilities from its feed.
        const full = fullProbs ?? (await batch.finish(hidden, d, slots.mask(batch.slotsAt(d), t)));
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
        for (const h of hidden) batch.release(h);
      }
    }
  } finally {
    batch.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return rows.map((r) => ({ tokens: Int32Array.from(r.out.slice(0, steps)), drafted: r.drafted, accepted: r.accepted, verifications: r.verifications, seconds }));
}
