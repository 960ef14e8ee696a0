import type { TransformerLm } from '@offramp/backbones';
import { checkPrompt, type DecodeRun, type TokenChoice } from './decode-options.js';
import { choose } from './layer-steps.js';
import type { LmRuntime } from '../runtime/lm-runtime.js';
import { asLmRuntime } from '../runtime/tfjs-runtime.js';
import { SingleSequence } from '../runtime/single-sequence.js';

/**
 * Plain decoding with the whole model: the prompt in one pass, then token by token with a key/value cache. The
 * reference self-speculative decoding must reproduce (greedy) or match in distribution (with `rng`).
 */
export async function decodeFull(model: TransformerLm | LmRuntime, prompt: ArrayLike<number>, steps: number, choice: TokenChoice = {}): Promise<DecodeRun> {
  const lm = asLmRuntime(model);
  checkPrompt(lm, prompt, steps);
  const sequence = new SingleSequence(lm);
  const tokens = new Int32Array(steps);
  try {
    const fed = async (token: readonly number[], position: number) => {
      const step = await sequence.feed(token, position, lm.layers, true);
      sequence.release(step.hidden);
      return choose(step.probs!, choice);
    };
    tokens[0] = await fed(Array.from(prompt), 0);
    const started = performance.now();
    for (let i = 1; i < steps; i++) tokens[i] = await fed([tokens[i - 1]!], prompt.length + i - 1);
    return { tokens, drafted: 0, accepted: 0, verifications: steps, seconds: (performance.now() - started) / 1000 };
  } finally {
    sequence.dispose();
  }
}
