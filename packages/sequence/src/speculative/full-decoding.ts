import type { TransformerLm } from '@offramp/backbones';
import { checkPrompt, type DecodeRun, type TokenChoice } from './decode-options.js';
import { KvCache } from '../kv-cache.js';
import { choose, embedTokens, headRows, prefill, runLayers } from './layer-steps.js';

/**
 * Plain decoding with the whole model: the prompt in one pass, then token by token with a key/value cache. The
 * reference self-speculative decoding must reproduce (greedy) or match in distribution (with `rng`).
 */
export async function decodeFull(lm: TransformerLm, prompt: ArrayLike<number>, steps: number, choice: TokenChoice = {}): Promise<DecodeRun> {
  checkPrompt(lm, prompt, steps);
  const cache = new KvCache(lm.layers);
  const tokens = new Int32Array(steps);
  try {
    tokens[0] = choose(await prefill(lm, cache, prompt), choice);
    const started = performance.now();
    for (let i = 1; i < steps; i++) {
      const top = runLayers(lm, cache, embedTokens(lm, [tokens[i - 1]!], prompt.length + i - 1), 0, lm.layers);
      const [probs] = await headRows(lm, top).finally(() => top.dispose());
      tokens[i] = choose(probs!, choice);
    }
    return { tokens, drafted: 0, accepted: 0, verifications: steps, seconds: (performance.now() - started) / 1000 };
  } finally {
    cache.dispose();
  }
}
