import type { TransformerLm } from '@offramp/backbones';
import { TokenDecoder } from '../token/token-decoder.js';
import { argmax, sampleIndex } from './acceptance.js';
import { checkPrompt, type DecodeRun, type TokenChoice } from './decode-options.js';

/**
 * Plain decoding with the whole model, token by token with a key/value cache (core of `TokenDecoder`): the
 * reference self-speculative decoding must reproduce (greedy) or match in distribution (with `rng`).
 */
export async function decodeFull(lm: TransformerLm, prompt: ArrayLike<number>, steps: number, choice: TokenChoice = {}): Promise<DecodeRun> {
  checkPrompt(lm, prompt, steps);
  const decoder = new TokenDecoder(lm);
  const tokens = new Int32Array(steps);
  try {
    let last = await decoder.step(prompt[0]!);
    for (let i = 1; i < prompt.length; i++) last = await decoder.step(prompt[i]!);
    for (let i = 0; i < steps; i++) {
      tokens[i] = choice.rng ? sampleIndex(last.probs, choice.rng.next()) : argmax(last.probs);
      if (i < steps - 1) last = await decoder.step(tokens[i]!);
    }
  } finally {
    decoder.dispose();
  }
  return { tokens, drafted: 0, accepted: 0, verifications: steps };
}
