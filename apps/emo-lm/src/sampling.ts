import type { TransformerLm } from '@offramp/backbones';
import { ArgumentError, type ExitPolicy, type Rng } from '@offramp/core';
import { TokenDecoder } from '@offramp/sequence';

/** Draws a token from the `topK` most probable ones, renormalised (topK = vocabulary: plain sampling). */
export function sampleTopK(probs: Float32Array, topK: number, rng: Rng): number {
  if (!Number.isInteger(topK) || topK < 1) {
    throw new ArgumentError({ field: 'topK', expected: 'a whole number >= 1', received: String(topK) });
  }
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b).slice(0, topK);
  const total = order.reduce((s, i) => s + probs[i]!, 0);
  let u = rng.next() * total;
  for (const i of order) {
    u -= probs[i]!;
    if (u < 0) return i;
  }
  return order[order.length - 1]!;
}

export interface Continuation {
  readonly tokens: Int32Array;
  /** Exit each generated token's distribution came from. */
  readonly exits: Int32Array;
  /** Wall time of the generation, after the prompt is fed. */
  readonly seconds: number;
}

/** Feeds the prompt token by token, then samples `steps` tokens (top-k), optionally with early exit. */
export async function continuePrompt(
  lm: TransformerLm,
  prompt: Int32Array,
  steps: number,
  options: { readonly topK: number; readonly rng: Rng; readonly policy?: ExitPolicy },
): Promise<Continuation> {
  if (prompt.length < 1 || prompt.length + steps > lm.context + 1) {
    throw new ArgumentError({
      field: 'prompt.length + steps',
      expected: `a prompt of at least 1 token and at most ${lm.context + 1} tokens in all`,
      received: `${prompt.length} + ${steps}`,
    });
  }
  const decoder = new TokenDecoder(lm, options.policy);
  const tokens = new Int32Array(steps);
  const exits = new Int32Array(steps);
  let started = 0;
  try {
    let last = await decoder.step(prompt[0]!);
    for (let i = 1; i < prompt.length; i++) last = await decoder.step(prompt[i]!);
    started = performance.now();
    for (let i = 0; i < steps; i++) {
      tokens[i] = sampleTopK(last.probs, options.topK, options.rng);
      exits[i] = last.exit;
      if (i < steps - 1) last = await decoder.step(tokens[i]!);
    }
  } finally {
    decoder.dispose();
  }
  return { tokens, exits, seconds: (performance.now() - started) / 1000 };
}
