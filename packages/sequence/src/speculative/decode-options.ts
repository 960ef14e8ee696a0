import { ArgumentError, type Rng } from '@offramp/core';

/** How the next token is chosen: the most probable (greedy, the default) or drawn with `rng` (sampling). */
export interface TokenChoice {
  readonly rng?: Rng;
}

export interface SelfSpeculativeOptions extends TokenChoice {
  /** d: layers that draft (the first d layers and the shared exit head after layer d - 1), 1 <= d < layers. */
  readonly draftLayers: number;
  /** k: most tokens drafted per verification, >= 1. */
  readonly draftTokens: number;
  /**
   * Drafting stops early when the draft head's top probability falls below this (Kangaroo's early stop of the
   * draft); 0 (the default) drafts all k tokens.
   */
  readonly draftConfidence?: number;
}

/** What a decoding run gave, with the counts that say how well the draft did. */
export interface DecodeRun {
  /** The generated tokens (the prompt not included). */
  readonly tokens: Int32Array;
  /** Tokens the draft proposed. */
  readonly drafted: number;
  /** Drafted tokens the full model kept. */
  readonly accepted: number;
  /** Passes of the upper layers (one per verification; for plain decoding, one per token). */
  readonly verifications: number;
  /** Wall time of the generation, after the prompt's pass (which every decoder here makes the same way). */
  readonly seconds: number;
}

/** The sizes the checks need (a TransformerLm and every LmRuntime have them). */
export interface LmShape {
  readonly layers: number;
  readonly vocabSize: number;
  readonly context: number;
}

/** Checks the prompt (token ids, at least one) and that prompt and continuation fit the model's context. */
export function checkPrompt(lm: LmShape, prompt: ArrayLike<number>, steps: number): void {
  if (prompt.length < 1) throw new ArgumentError({ field: 'prompt', expected: 'at least one token', received: 'an empty prompt' });
  for (let i = 0; i < prompt.length; i++) {
    const t = prompt[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= lm.vocabSize) {
      throw new ArgumentError({ field: `prompt[${i}]`, expected: `a token id in [0, ${lm.vocabSize - 1}]`, received: String(t) });
    }
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new ArgumentError({ field: 'steps', expected: 'a whole number >= 1', received: String(steps) });
  }
  if (prompt.length + steps > lm.context + 1) {
    throw new ArgumentError({
      field: 'prompt.length + steps',
      expected: `at most ${lm.context + 1} (the context, ${lm.context}, plus the last token, which is not fed)`,
      received: `${prompt.length} + ${steps}`,
    });
  }
}

/** Checks d, k and the confidence against the model. */
export function checkSpeculativeOptions(lm: LmShape, options: SelfSpeculativeOptions): void {
  const { draftLayers: d, draftTokens: k, draftConfidence = 0 } = options;
  if (!Number.isInteger(d) || d < 1 || d >= lm.layers) {
    throw new ArgumentError({
      field: 'draftLayers',
      expected: `a whole number in [1, ${lm.layers - 1}] (fewer layers than the model's ${lm.layers})`,
      received: String(d),
    });
  }
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError({ field: 'draftTokens', expected: 'a whole number >= 1', received: String(k) });
  if (!(draftConfidence >= 0 && draftConfidence <= 1)) {
    throw new ArgumentError({ field: 'draftConfidence', expected: 'a probability in [0, 1]', received: String(draftConfidence) });
  }
}
