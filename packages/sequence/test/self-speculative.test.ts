import { createTransformerLm, type TransformerLm } from '@offramp/backbones';
import { ArgumentError, createRng } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, decodeFull, decodeSelfSpeculative, TokenDecoder } from '../src/index.js';
import { runSelfSpeculative } from '../src/speculative/self-speculative.js';

let lms: TransformerLm[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  lms = [1, 2, 3].map((seed) => createTransformerLm({ vocabSize: 13, context: 24, dModel: 16, layers: 4, heads: 2, ffnHidden: 24, seed, name: `spec-${seed}` }));
});
afterAll(() => {
  for (const lm of lms) lm.dispose();
});

const prompts = [[3], [1, 4, 2], [5, 9, 2, 6, 5, 3, 5]];

/** Greedy decoding through TokenDecoder, every token fed one at a time (prompt included). */
async function stepByStep(lm: TransformerLm, prompt: number[], steps: number): Promise<number[]> {
  const decoder = new TokenDecoder(lm);
  try {
    let probs: Float32Array<ArrayBufferLike> = new Float32Array();
    for (const t of prompt) probs = (await decoder.step(t)).probs;
    const out: number[] = [];
    for (let i = 0; i < steps; i++) {
      out.push(argmax(probs));
      if (i < steps - 1) probs = (await decoder.step(out[i]!)).probs;
    }
    return out;
  } finally {
    decoder.dispose();
  }
}

describe('self-speculative decoding', () => {
  it('gives the full model’s greedy output token for token, for every d, k, confidence and prompt length', async () => {
    for (const lm of lms) {
      for (const prompt of prompts) {
        const steps = lm.context + 1 - prompt.length;
        const full = await decodeFull(lm, prompt, steps);
        // The reference itself agrees with TokenDecoder's token-by-token cache path.
        expect(Array.from(full.tokens)).toEqual(await stepByStep(lm, prompt, steps));
        for (const draftLayers of [1, 3]) {
          for (const draftTokens of [1, 4]) {
            for (const draftConfidence of [0, 0.3]) {
              const run = await decodeSelfSpeculative(lm, prompt, steps, { draftLayers, draftTokens, draftConfidence });
              expect(Array.from(run.tokens), `${lm.name} d=${draftLayers} k=${draftTokens} c=${draftConfidence} prompt ${prompt}`).toEqual(
                Array.from(full.tokens),
              );
              expect(run.accepted).toBeLessThanOrEqual(run.drafted);
              // Each verification gives the accepted drafts and one token of the full model.
              expect(run.accepted + run.verifications + 1).toBeGreaterThanOrEqual(steps);
            }
          }
        }
      }
    }
  });

  it('leaves the cache as plain decoding would: every accepted position, nothing past it', async () => {
    const lm = lms[0]!;
    const prompt = [1, 4, 2];
    await runSelfSpeculative(lm, prompt, 15, { draftLayers: 2, draftTokens: 4 }, async (cache, fed) => {
      const expected = tf.tidy(() => {
        let x = lm.embed(tf.tensor2d([[...fed]], [1, fed.length], 'int32'));
        return Array.from({ length: lm.layers }, (_, l) => {
          const out = lm.layer(l, x);
          x = out.output;
          return [out.keys.dataSync(), out.values.dataSync()] as const;
        });
      });
      const got = await cache.snapshot();
      expect(fed.length).toBeGreaterThanOrEqual(prompt.length + 14);
      got.forEach((layer, l) => {
        expect(layer.length).toBe(fed.length);
        const [keys, values] = expected[l]!;
        expect(layer.keys.length).toBe(keys.length);
        expect(Math.max(...layer.keys.map((v, i) => Math.abs(v - keys[i]!)))).toBeLessThan(1e-5);
        expect(Math.max(...layer.values.map((v, i) => Math.abs(v - values[i]!)))).toBeLessThan(1e-5);
      });
    });
  });

  it('speculative sampling draws each token from the full model’s distribution (chi-square over 3-token continuations)', async () => {
    const lm = createTransformerLm({ vocabSize: 3, context: 8, dModel: 8, layers: 3, heads: 2, ffnHidden: 12, seed: 11, name: 'spec-sampling' });
    try {
      const prompt = [0, 2];
      // The exact probability of every continuation of 3 tokens under the full model.
      const exact = new Map<string, number>();
      const next = (tokens: number[], exit: number) =>
        tf.tidy(() => {
          const logits = lm.exitLogits(tf.tensor2d([tokens], [1, tokens.length], 'int32'))[exit]!;
          return Array.from(tf.softmax(tf.slice(logits, [0, tokens.length - 1, 0], [1, 1, 3])).dataSync());
        });
      for (const a of [0, 1, 2]) {
        for (const b of [0, 1, 2]) {
          for (const c of [0, 1, 2]) {
            exact.set(`${a}${b}${c}`, next(prompt, 2)[a]! * next([...prompt, a], 2)[b]! * next([...prompt, a, b], 2)[c]!);
          }
        }
      }
      // The draft (exit after layer 0) must differ from the full model, or the test would show nothing.
      const draft = next(prompt, 0);
      const full = next(prompt, 2);
      expect(draft.reduce((s, q, i) => s + Math.abs(q - full[i]!), 0) / 2).toBeGreaterThan(0.05);
      const counts = new Map<string, number>();
      const rng = createRng(2026);
      const n = 1500;
      let drafted = 0;
      let accepted = 0;
      for (let i = 0; i < n; i++) {
        const run = await decodeSelfSpeculative(lm, prompt, 3, { draftLayers: 1, draftTokens: 2, rng });
        const key = Array.from(run.tokens).join('');
        counts.set(key, (counts.get(key) ?? 0) + 1);
        drafted += run.drafted;
        accepted += run.accepted;
      }
      let chi = 0;
      for (const [key, p] of exact) chi += ((counts.get(key) ?? 0) - n * p) ** 2 / (n * p);
      // 27 outcomes, 26 degrees of freedom: the 0.999 quantile of chi-square(26) is 54.05.
      expect(chi, `chi-square ${chi.toFixed(1)}`).toBeLessThan(54.05);
      // Some drafts were rejected (else the rule was not exercised) and some kept.
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(drafted);
    } finally {
      lm.dispose();
    }
  });

  it('does not leak tensors', async () => {
    const lm = lms[1]!;
    await decodeSelfSpeculative(lm, [1, 2], 10, { draftLayers: 2, draftTokens: 3 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await decodeSelfSpeculative(lm, [1, 2], 10, { draftLayers: 2, draftTokens: 3, rng: createRng(i) });
      await decodeSelfSpeculative(lm, [1, 2], 10, { draftLayers: 1, draftTokens: 2, draftConfidence: 0.5 });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses d outside the layers, k < 1, an empty prompt, a token outside the vocabulary, a run past the context', async () => {
    const lm = lms[0]!;
    const run = (prompt: number[], steps: number, d: number, k: number, c?: number) =>
      decodeSelfSpeculative(lm, prompt, steps, { draftLayers: d, draftTokens: k, draftConfidence: c });
    await expect(run([1], 3, 0, 2)).rejects.toThrow(ArgumentError);
    await expect(run([1], 3, 0, 2)).rejects.toThrow(/^draftLayers: expected a whole number in \[1, 3\] .*received 0/);
    await expect(run([1], 3, 4, 2)).rejects.toThrow(/^draftLayers: .*received 4/);
    await expect(run([1], 3, 2, 0)).rejects.toThrow(/^draftTokens: expected a whole number >= 1, received 0/);
    await expect(run([1], 3, 2, 2, 1.5)).rejects.toThrow(/^draftConfidence: expected a probability in \[0, 1\], received 1.5/);
    await expect(run([], 3, 2, 2)).rejects.toThrow(/^prompt: expected at least one token, received an empty prompt/);
    await expect(run([1, 13], 3, 2, 2)).rejects.toThrow(/^prompt\[1\]: expected a token id in \[0, 12\], received 13/);
    await expect(run([1, -1], 3, 2, 2)).rejects.toThrow(/^prompt\[1\]: /);
    await expect(run([1], 25, 2, 2)).rejects.toThrow(/^prompt\.length \+ steps: expected at most 25 .*received 1 \+ 25/);
    await expect(decodeFull(lm, [1], 0)).rejects.toThrow(/^steps: expected a whole number >= 1/);
  });
});
