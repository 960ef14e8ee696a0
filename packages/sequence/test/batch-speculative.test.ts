import { createTransformerLm, type TransformerLm } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFull, decodeFullBatch, decodeSelfSpeculative, decodeSelfSpeculativeBatch } from '../src/index.js';

let lm: TransformerLm;

beforeAll(async () => {
  await tf.setBackend('cpu');
  lm = createTransformerLm({ vocabSize: 13, context: 24, dModel: 16, layers: 4, heads: 2, ffnHidden: 24, seed: 5, name: 'spec-batch' });
});
afterAll(() => {
  lm.dispose();
});

// Prompts of different lengths: rows of one batch sit at different positions.
const prompts = [[3], [1, 4, 2], [5, 9, 2, 6, 5, 3, 5], [7, 7], [0, 12, 11, 10]];
const steps = 12;

describe('batched decoding', () => {
  it('plain batched decoding gives each row what decoding it alone gives', async () => {
    const batch = await decodeFullBatch(lm, prompts, steps);
    for (let b = 0; b < prompts.length; b++) {
      expect(Array.from(batch[b]!.tokens), `row ${b}`).toEqual(Array.from((await decodeFull(lm, prompts[b]!, steps)).tokens));
    }
  });

  it('self-speculative batches give every row the full model’s greedy output, each row accepting its own drafts', async () => {
    const alone = await Promise.all(prompts.map((p) => decodeFull(lm, p, steps)));
    for (const draftLayers of [1, 2, 3]) {
      for (const draftTokens of [1, 3]) {
        for (const size of [1, 2, 5]) {
          const batch = await decodeSelfSpeculativeBatch(lm, prompts.slice(0, size), steps, { draftLayers, draftTokens });
          batch.forEach((run, b) => {
            expect(Array.from(run.tokens), `d=${draftLayers} k=${draftTokens} batch ${size} row ${b}`).toEqual(Array.from(alone[b]!.tokens));
            expect(run.accepted).toBeLessThanOrEqual(run.drafted);
          });
        }
      }
    }
    // Rows accept their own numbers of drafts, as a lone run of the same row does.
    const batch = await decodeSelfSpeculativeBatch(lm, prompts, steps, { draftLayers: 2, draftTokens: 3 });
    const lone = await Promise.all(prompts.map((p) => decodeSelfSpeculative(lm, p, steps, { draftLayers: 2, draftTokens: 3 })));
    expect(new Set(batch.map((r) => r.accepted)).size).toBeGreaterThan(1);
    batch.forEach((run, b) => {
      expect(run.accepted).toBe(lone[b]!.accepted);
      expect(run.verifications).toBe(lone[b]!.verifications);
    });
  });

  it('does not leak tensors, and refuses an empty batch or a bad prompt naming its row', async () => {
    await decodeSelfSpeculativeBatch(lm, prompts, 6, { draftLayers: 2, draftTokens: 2 });
    const before = tf.memory().numTensors;
    await decodeSelfSpeculativeBatch(lm, prompts, 6, { draftLayers: 2, draftTokens: 2 });
    await decodeFullBatch(lm, prompts, 6);
    expect(tf.memory().numTensors).toBe(before);
    await expect(decodeSelfSpeculativeBatch(lm, [], 3, { draftLayers: 1, draftTokens: 2 })).rejects.toThrow(/^prompts: expected at least one prompt/);
    await expect(decodeSelfSpeculativeBatch(lm, [[1], [1, 99]], 3, { draftLayers: 1, draftTokens: 2 })).rejects.toThrow(ArgumentError);
    await expect(decodeSelfSpeculativeBatch(lm, [[1], [1, 99]], 3, { draftLayers: 1, draftTokens: 2 })).rejects.toThrow(
      /^prompts\[1\]: prompt\[1\]: expected a token id in \[0, 12\], received 99/,
    );
    await expect(decodeSelfSpeculativeBatch(lm, [[1], []], 3, { draftLayers: 1, draftTokens: 2 })).rejects.toThrow(/^prompts\[1\]: prompt: expected at least one token/);
    await expect(decodeSelfSpeculativeBatch(lm, [[1]], 3, { draftLayers: 9, draftTokens: 2 })).rejects.toThrow(/^draftLayers: /);
  });
});
