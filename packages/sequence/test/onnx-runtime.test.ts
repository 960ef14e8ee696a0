import { createTransformerLm, type TransformerLm } from '@offramp/backbones';
import { ArgumentError } from '@offramp/core';
import { loadWebRuntime } from '@offramp/onnx';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOnnxLmRuntime,
  decodeFull,
  decodeFullBatch,
  decodeSelfSpeculative,
  decodeSelfSpeculativeBatch,
  type OnnxLmRuntime,
  tfjsLmRuntime,
} from '../src/index.js';
import { SingleSequence } from '../src/runtime/single-sequence.js';
import { runSelfSpeculative } from '../src/speculative/self-speculative.js';

let lms: TransformerLm[];
let runtimes: OnnxLmRuntime[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  lms = [1, 2].map((seed) => createTransformerLm({ vocabSize: 13, context: 24, dModel: 16, layers: 4, heads: 2, ffnHidden: 24, seed, name: `ort-${seed}` }));
  runtimes = await Promise.all(lms.map((lm) => createOnnxLmRuntime(lm, { sessionOptions: { intraOpNumThreads: 1 } })));
});
afterAll(async () => {
  for (const r of runtimes) await r.release();
  for (const lm of lms) lm.dispose();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('the LM on onnxruntime', () => {
  it('gives the tfjs model’s probabilities at every exit, with and without a cache (1e-5)', async () => {
    const lm = lms[0]!;
    const tokens = [3, 1, 4, 1, 5, 9];
    for (const to of [1, 2, 4]) {
      const onnx = new SingleSequence(runtimes[0]!);
      const ref = new SingleSequence(tfjsLmRuntime(lm));
      try {
        // the first three tokens in one pass, then one at a time through the cache
        const a = await onnx.feed(tokens.slice(0, 3), 0, to, true);
        const b = await ref.feed(tokens.slice(0, 3), 0, to, true);
        expect(maxDiff(a.probs!, b.probs!)).toBeLessThan(1e-5);
        ref.release(b.hidden);
        for (let i = 3; i < tokens.length; i++) {
          const x = await onnx.feed([tokens[i]!], i, to, true);
          const y = await ref.feed([tokens[i]!], i, to, true);
          expect(maxDiff(x.probs!, y.probs!), `exit ${to}, position ${i}`).toBeLessThan(1e-5);
          expect(maxDiff(x.hidden, await y.hidden.data())).toBeLessThan(1e-4);
          ref.release(y.hidden);
        }
      } finally {
        onnx.dispose();
        ref.dispose();
      }
    }
  });

  it('continues hidden states through the upper layers as the whole model does', async () => {
    const sequence = new SingleSequence(runtimes[1]!);
    const whole = new SingleSequence(runtimes[1]!);
    const tokens = [2, 7, 1, 8];
    const lower = await sequence.feed(tokens, 0, 2, false);
    const rows = await sequence.finish([lower.hidden], 2, 4);
    const all = await whole.feed(tokens, 0, 4, true);
    expect(rows).toHaveLength(4);
    expect(maxDiff(rows[3]!, all.probs!)).toBeLessThan(1e-6);
  });

  it('decodes greedily as the tfjs model does, and self-speculative decoding reproduces it for every d and k', async () => {
    for (const [i, lm] of lms.entries()) {
      for (const prompt of [[3], [5, 9, 2, 6, 5, 3, 5]]) {
        const steps = lm.context + 1 - prompt.length;
        const full = await decodeFull(runtimes[i]!, prompt, steps);
        expect(Array.from(full.tokens)).toEqual(Array.from((await decodeFull(lm, prompt, steps)).tokens));
        for (const draftLayers of [1, 3]) {
          for (const draftTokens of [1, 4]) {
            const run = await decodeSelfSpeculative(runtimes[i]!, prompt, steps, { draftLayers, draftTokens, draftConfidence: 0.2 });
            expect(Array.from(run.tokens), `d=${draftLayers} k=${draftTokens}`).toEqual(Array.from(full.tokens));
          }
        }
      }
    }
  });

  it('decodes batches of prompts of different lengths, each row as it decodes alone', async () => {
    const runtime = runtimes[1]!;
    const lm = lms[1]!;
    const prompts = [[3], [1, 4, 2], [5, 9, 2, 6, 5, 3, 5], [7, 7], [0, 12, 11, 10]];
    const steps = 12;
    const alone = await Promise.all(prompts.map((p) => decodeFull(runtime, p, steps)));
    const full = await decodeFullBatch(runtime, prompts, steps);
    full.forEach((run, b) => {
      expect(Array.from(run.tokens), `full, row ${b}`).toEqual(Array.from(alone[b]!.tokens));
    });
    for (const [draftLayers, draftTokens] of [[1, 3], [2, 1], [3, 4]] as const) {
      const batch = await decodeSelfSpeculativeBatch(runtime, prompts, steps, { draftLayers, draftTokens });
      // The same drafts as the tfjs model's batch (a batch drafts as far as all its rows can, so not a lone run's).
      const onTfjs = await decodeSelfSpeculativeBatch(lm, prompts, steps, { draftLayers, draftTokens });
      batch.forEach((run, b) => {
        expect(Array.from(run.tokens), `d=${draftLayers} k=${draftTokens} row ${b}`).toEqual(Array.from(alone[b]!.tokens));
        expect([run.drafted, run.accepted, run.verifications]).toEqual([onTfjs[b]!.drafted, onTfjs[b]!.accepted, onTfjs[b]!.verifications]);
      });
    }
  });

  it('runs on onnxruntime-web (the browser’s runtime, here in Node) with the same greedy output', async () => {
    const web = await createOnnxLmRuntime(lms[0]!, { runtime: await loadWebRuntime() });
    try {
      const prompt = [5, 9, 2];
      const full = await decodeFull(runtimes[0]!, prompt, 12);
      expect(Array.from((await decodeFull(web, prompt, 12)).tokens)).toEqual(Array.from(full.tokens));
      const fast = await decodeSelfSpeculative(web, prompt, 12, { draftLayers: 2, draftTokens: 3 });
      expect(Array.from(fast.tokens)).toEqual(Array.from(full.tokens));
    } finally {
      await web.release();
    }
  });

  it('leaves the cache as one pass over the accepted tokens would', async () => {
    const runtime = runtimes[0]!;
    await runSelfSpeculative(runtime, [1, 4, 2], 15, { draftLayers: 2, draftTokens: 4 }, async (sequence, fed) => {
      const once = new SingleSequence(runtime);
      await once.feed([...fed], 0, runtime.layers, false);
      const expected = await once.batch.snapshot();
      const got = await sequence.snapshot();
      got.forEach((layer, l) => {
        expect(layer.length).toBe(fed.length);
        expect(maxDiff(layer.keys, expected[l]!.keys)).toBeLessThan(1e-5);
        expect(maxDiff(layer.values, expected[l]!.values)).toBeLessThan(1e-5);
      });
    });
  });

  it('refuses a pass over layers whose caches differ, a mask of the wrong size and an empty batch', async () => {
    const batch = runtimes[0]!.openBatch(1);
    await batch.feed({ tokens: [1, 2], starts: [0], t: 2 }, 2, new Float32Array(4), false);
    // the upper layers hold nothing yet, so a pass over layers 1-3 cannot start at slot 2
    await expect(batch.finish([new Float32Array(16)], 1, new Float32Array(3))).rejects.toThrow(/cache of layer 2: expected 2 slots/);
    await expect(batch.feed({ tokens: [3], starts: [2], t: 1 }, 2, new Float32Array(2), false)).rejects.toThrow(/mask.length: expected 3/);
    await expect(batch.feed({ tokens: [3], starts: [2], t: 1 }, 2, new Float32Array(3), false)).resolves.toBeDefined();
    expect(() => runtimes[0]!.openBatch(0)).toThrow(ArgumentError);
  });
});
